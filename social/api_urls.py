from django.urls import path

from social import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
]
