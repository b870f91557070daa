"""Every API route under /api/v1/. Each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("social.api_urls")),
    path("", include("booky.site.api_urls")),
    path("", include("clubs.api_urls")),
    path("", include("books.api_urls")),
    path("", include("meetings.api_urls")),
    path("", include("bets.api_urls")),
    path("", include("social.notifications_api")),
]
