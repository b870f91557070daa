from rest_framework.routers import SimpleRouter

from clubs.api import clubs, join_requests, members

CLUB = r"clubs/(?P<club_slug>[^/.]+)"

router = SimpleRouter()
router.register("clubs", clubs.ClubViewSet, basename="api-club")
router.register(f"{CLUB}/members", members.MemberViewSet, basename="api-club-member")
router.register(f"{CLUB}/join-requests", join_requests.JoinRequestViewSet, basename="api-club-join-request")

urlpatterns = router.urls
