"""The friends page and the relationship buttons, mounted at the site root: /friends/ and
/u/<username>/<action>/. The profile page itself, /u/<username>/ (`people:profile`), is the site's,
mounted into this namespace by booky/site/urls.py."""

from django.urls import path

from social import views

app_name = "people"
urlpatterns = [
    path("friends/", views.friends_page, name="friends"),
    path("friends/send/", views.send_friend_request, name="send"),
    path("u/<str:username>/<slug:action>/", views.relationship_action, name="act"),
]
