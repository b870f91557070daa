"""Where the site layer mounts pages that compose several apps.

An app's URLconf holds only that app's own pages. A page that shows more than one app (the meeting
page shows the race and the bets) lives in booky.site, and is mounted here into the app's namespace,
so its URL name stays the app's (`meetings:detail`) and no app has to import the site to link to it.
Each `<app>_patterns` below is what booky/urls.py includes for that app: the app's patterns first, then
the site's pages (so a catch-all like `<slug:slug>/` never shadows the app's fixed paths).
"""

from django.urls import path

from books import urls as books_urls
from booky.site.views import (
    account,
    archive,
    book_page,
    club_page,
    data_export,
    meeting_page,
    poll_page,
    profile,
)
from clubs import urls as clubs_urls
from meetings import urls as meetings_urls
from meetings.views import feeds as meeting_feeds
from meetings.views import reminder_settings
from social import urls as social_urls
from social import urls_people as people_urls

# /settings/...: the member's settings. Deleting the account lists the clubs they own; the calendar
# link is meetings' (they own CalendarFeed), its page one of the settings pages.
social_patterns = (
    [
        *social_urls.urlpatterns,
        path("delete/", account.delete_account_page, name="delete_account"),
        path("export/", data_export.data_export_page, name="data_export"),
        path("calendar/", meeting_feeds.calendar_settings, name="calendar"),
        path("reminders/", reminder_settings.reminder_settings, name="reminders"),
        path("calendar/reset/", meeting_feeds.calendar_reset_confirm, name="calendar_reset"),
    ],
    social_urls.app_name,
)
# /friends/, /u/<username>/...: the profile page shows the member's clubs, reading and standing.
people_patterns = (
    [
        # Before social's `u/<username>/<action>/`, which would take "year" for an action.
        path("u/<str:username>/year/", profile.year_page, name="year"),
        path("u/<str:username>/year/<int:year>/", profile.year_page, name="year_of"),
        *people_urls.urlpatterns,
        path("u/<str:username>/", profile.profile_page, name="profile"),
    ],
    people_urls.app_name,
)
# Mounted at /clubs/. The club page shows the club's meetings.
clubs_patterns = (
    [
        *clubs_urls.urlpatterns,
        path("<slug:slug>/", club_page.detail, name="detail"),
        path("<slug:slug>/polls/<int:pk>/", poll_page.detail, name="poll"),
        path("<slug:slug>/archive/", archive.archive_page, name="archive"),
        path("<slug:slug>/archive.csv", archive.archive_csv, name="archive_csv"),
        path("<slug:slug>/polls/<int:pk>/schedule/", poll_page.schedule_winner, name="poll_schedule"),
    ],
    clubs_urls.app_name,
)
# Mounted at /books/. The book page lists the clubs' meetings about the book.
books_patterns = (
    [*books_urls.urlpatterns, path("<int:pk>/", book_page.detail, name="detail")],
    books_urls.app_name,
)
# The meeting page shows the race and the bets; its edit form warns about the open bets.
meetings_patterns = (
    [
        *meetings_urls.urlpatterns,
        path("meetings/<int:pk>/", meeting_page.detail, name="detail"),
        path("meetings/<int:pk>/edit/", meeting_page.edit, name="edit"),
    ],
    meetings_urls.app_name,
)
