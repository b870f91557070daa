from django.urls import path

from bets.api import bets, points

urlpatterns = [
    path("meetings/<int:meeting_pk>/bets/", bets.MeetingBetsView.as_view(), name="api-meeting-bets"),
    path("bets/<int:pk>/", bets.BetView.as_view(), name="api-bet"),
    path("me/points/", points.MyPointsView.as_view(), name="api-my-points"),
    path("leaderboards/<str:scope>/", points.LeaderboardView.as_view(), name="api-leaderboard"),
]
