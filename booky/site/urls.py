"""Where the site layer mounts pages that compose several apps.

An app's URLconf holds only that app's own pages. A page that shows more than one app (the meeting
page shows the race and the bets) lives in booky.site, and is mounted here into the app's namespace,
so its URL name stays the app's (`meetings:detail`) and no app has to import the site to link to it.
Each `<app>_urls` below is what booky/urls.py includes for that app: the app's patterns first, then
the site's pages (so a catch-all like `<slug:slug>/` never shadows the app's fixed paths).
"""

from django.urls import path

from books import urls as books_urlconf
from booky.site.views import book_page, meeting_page
from meetings import urls as meetings_urlconf
from meetings.views import feeds as meeting_feeds
from social import urls as social_urlconf

books_urls = (
    [*books_urlconf.urlpatterns, path("<int:pk>/", book_page.detail, name="detail")],
    books_urlconf.app_name,
)
meetings_urls = (
    [
        *meetings_urlconf.urlpatterns,
        path("meetings/<int:pk>/", meeting_page.detail, name="detail"),
        path("meetings/<int:pk>/edit/", meeting_page.edit, name="edit"),
    ],
    meetings_urlconf.app_name,
)
# The calendar link is meetings' (they own CalendarFeed), its page one of the settings pages.
social_urls = (
    [*social_urlconf.urlpatterns, path("calendar/", meeting_feeds.calendar_settings, name="calendar")],
    social_urlconf.app_name,
)
