"""The friends page and profiles, mounted at the site root: /friends/ and /u/<username>/."""

from django.urls import path

from social import views

app_name = "people"
urlpatterns = [
    path("friends/", views.friends_page, name="friends"),
    path("friends/send/", views.send_friend_request, name="send"),
    path("u/<str:username>/", views.profile_page, name="profile"),
    path("u/<str:username>/<slug:action>/", views.relationship_action, name="act"),
]
