from django.urls import path

from bets import views

app_name = "bets"
urlpatterns = [
    path("meetings/<int:pk>/bets/", views.meeting_bets, name="meeting"),
    path("meetings/<int:pk>/bets/change/", views.change, name="change"),
    path("meetings/<int:pk>/bets/withdraw/", views.withdraw, name="withdraw"),
    path("points/", views.points, name="points"),
    path("leaderboards/", views.leaderboard, name="leaderboards"),
    path("leaderboards/<str:scope>/", views.leaderboard, name="leaderboard"),
]
