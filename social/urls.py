from django.urls import path

from social import views

app_name = "social"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("avatar/", views.avatar_upload, name="avatar"),
    path("avatar/remove/", views.avatar_delete, name="avatar_remove"),
    path("timezones/", views.timezone_search, name="timezones"),
]
