from rest_framework.routers import SimpleRouter

from clubs.api import clubs, join_requests, members
from clubs.polls import api as polls

CLUB = r"clubs/(?P<club_slug>[^/.]+)"

router = SimpleRouter()
router.register("clubs", clubs.ClubViewSet, basename="api-club")
router.register(f"{CLUB}/members", members.MemberViewSet, basename="api-club-member")
router.register(f"{CLUB}/join-requests", join_requests.JoinRequestViewSet, basename="api-club-join-request")
router.register(f"{CLUB}/polls", polls.ClubPollViewSet, basename="api-club-poll")
router.register("polls", polls.PollViewSet, basename="api-poll")

urlpatterns = router.urls
