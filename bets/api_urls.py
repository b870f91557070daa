from django.urls import path

from bets import api

urlpatterns = [
    path("meetings/<int:meeting_pk>/bets/", api.MeetingBetsView.as_view(), name="api-meeting-bets"),
    path("bets/<int:pk>/", api.BetView.as_view(), name="api-bet"),
    path("me/points/", api.MyPointsView.as_view(), name="api-my-points"),
    path("leaderboards/<str:scope>/", api.LeaderboardView.as_view(), name="api-leaderboard"),
]
