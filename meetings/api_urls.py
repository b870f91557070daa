from rest_framework.routers import SimpleRouter

from meetings.api import attendance, discussion, meetings, plan, poll_winner, reviews, series

router = SimpleRouter()
router.register(
    r"clubs/(?P<club_slug>[^/.]+)/meetings", meetings.ClubMeetingViewSet, basename="api-club-meeting"
)
router.register("meetings", meetings.MeetingViewSet, basename="api-meeting")
router.register("me/meetings", meetings.MyMeetingViewSet, basename="api-my-meeting")
router.register("me/reminders", plan.MyReminderViewSet, basename="api-my-reminder")
router.register("series", series.SeriesViewSet, basename="api-series")

# A meeting's attendance actions (meetings/{id}/rsvp/, ...) are named like the meeting's own
# (api-meeting-rsvp): the same basename, so a router of their own (one router takes a basename once).
attendance_router = SimpleRouter()
attendance_router.register("meetings", attendance.MeetingAttendanceViewSet, basename="api-meeting")

router.register("posts", discussion.PostViewSet, basename="api-post")

# meetings/{id}/posts/: a meeting's discussion, named like the meeting's own actions (api-meeting-posts).
discussion_router = SimpleRouter()
discussion_router.register("meetings", discussion.MeetingPostViewSet, basename="api-meeting")
reviews_router = SimpleRouter()
reviews_router.register("meetings", reviews.MeetingReviewViewSet, basename="api-meeting")
# meetings/{id}/plan/ and meetings/{id}/announcements/: the hosts' planning (api-meeting-plan, ...).
plan_router = SimpleRouter()
plan_router.register("meetings", plan.MeetingPlanViewSet, basename="api-meeting")
series_router = SimpleRouter()
series_router.register("meetings", series.MeetingSeriesViewSet, basename="api-meeting")

# polls/{id}/schedule/: a poll's winner as a meeting, named like the poll's own actions (api-poll-schedule).
poll_router = SimpleRouter()
poll_router.register("polls", poll_winner.PollScheduleViewSet, basename="api-poll")

urlpatterns = [
    *router.urls,
    *attendance_router.urls,
    *discussion_router.urls,
    *poll_router.urls,
    *reviews_router.urls,
    *plan_router.urls,
    *series_router.urls,
]
