"""The site's API routes, under /api/v1/ (included by booky/api_urls.py)."""

from django.urls import path

from booky.site.api import data_export, profile

urlpatterns = [
    path("users/<str:username>/", profile.UserProfileView.as_view(), name="api-user"),
    path("me/export/", data_export.DataExportView.as_view(), name="api-me-export"),
]
