"""Club invitations, mounted at /clubs/invitations/ (before the club pages' <slug>/ pattern)."""

from django.urls import path

from clubs.views import invitations as views

app_name = "clubs_invitations"
urlpatterns = [
    path("", views.invitation_list, name="list"),
    path("<int:pk>/accept/", views.invitation_accept, name="accept"),
    path("<int:pk>/decline/", views.invitation_decline, name="decline"),
    path("send/<slug:slug>/", views.invite_friend, name="send"),
]
