from django.urls import path
from rest_framework.routers import SimpleRouter

from social import api

router = SimpleRouter()
router.register("friends", api.FriendViewSet, basename="api-friend")
router.register("friend-requests", api.FriendRequestViewSet, basename="api-friend-request")
router.register("blocks", api.BlockViewSet, basename="api-block")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    *router.urls,
]
