from rest_framework.routers import SimpleRouter

from clubs import api

CLUB = r"clubs/(?P<club_slug>[^/.]+)"

router = SimpleRouter()
router.register("clubs", api.ClubViewSet, basename="api-club")
router.register(f"{CLUB}/members", api.MemberViewSet, basename="api-club-member")
router.register(f"{CLUB}/join-requests", api.JoinRequestViewSet, basename="api-club-join-request")

urlpatterns = router.urls
