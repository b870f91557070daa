from rest_framework.routers import SimpleRouter

from meetings import api

router = SimpleRouter()
router.register(r"clubs/(?P<club_slug>[^/.]+)/meetings", api.ClubMeetingViewSet, basename="api-club-meeting")
router.register("meetings", api.MeetingViewSet, basename="api-meeting")
router.register("me/meetings", api.MyMeetingViewSet, basename="api-my-meeting")

urlpatterns = router.urls
