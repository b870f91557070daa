from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/mine/", views.mine, name="mine"),
    path("meetings/<int:pk>/", views.detail, name="detail"),
    path("meetings/<int:pk>.ics", views.meeting_ics, name="ics"),
    path("meetings/<int:pk>/edit/", views.edit, name="edit"),
    path("meetings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:pk>/complete/", views.complete, name="complete"),
    path("meetings/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("meetings/<int:pk>/progress/", views.progress, name="progress"),
    path("meetings/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("clubs/<slug:slug>/meetings/new/", views.create, name="create"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
