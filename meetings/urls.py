from django.urls import path

from meetings.views import discussion, feeds, manage, mine, plan, race, reviews, series

# The meeting page (meetings:detail) and its edit form (meetings:edit) show the bets too: booky.site
# mounts them into this namespace (booky/site/urls.py).
app_name = "meetings"
urlpatterns = [
    path("meetings/mine/", mine.mine, name="mine"),
    path("meetings/<int:pk>.ics", feeds.meeting_ics, name="ics"),
    path("meetings/<int:pk>/cancel/", manage.cancel, name="cancel"),
    path("meetings/<int:pk>/complete/", manage.complete, name="complete"),
    path("meetings/<int:pk>/announce/", manage.announce, name="announce"),
    path("meetings/<int:pk>/rsvp/", race.rsvp, name="rsvp"),
    path("meetings/<int:pk>/progress/", race.progress, name="progress"),
    path("meetings/<int:pk>/discussion/", discussion.page, name="discussion"),
    path("meetings/<int:pk>/discussion/posts/", discussion.post_create, name="post_create"),
    path("meetings/posts/<int:post_id>/reply/", discussion.reply, name="post_reply"),
    path("meetings/posts/<int:post_id>/react/", discussion.react, name="post_react"),
    path("meetings/posts/<int:post_id>/reveal/", discussion.reveal, name="post_reveal"),
    path("meetings/posts/<int:post_id>/edit/", discussion.edit, name="post_edit"),
    path("meetings/posts/<int:post_id>/delete/", discussion.delete, name="post_delete"),
    path("meetings/posts/<int:post_id>/report/", discussion.report, name="post_report"),
    path("meetings/posts/<int:post_id>/moderate/", discussion.moderate, name="post_moderate"),
    path("meetings/reports/<int:report_id>/dismiss/", discussion.report_dismiss, name="report_dismiss"),
    path("clubs/<slug:slug>/discussion-reports/", discussion.reports, name="reports"),
    path("meetings/<int:pk>/check-in/", race.check_in, name="check_in"),
    path("meetings/<int:pk>/reviews/", reviews.reviews, name="reviews"),
    path("meetings/<int:pk>/plan/", plan.reading_plan, name="plan"),
    path("meetings/series/<int:pk>/", series.series_page, name="series"),
    path("clubs/<slug:slug>/meetings/new/", manage.create, name="create"),
    path("calendar/<str:token>.ics", feeds.feed, name="feed"),
]
