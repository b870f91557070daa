from pathlib import Path

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as media_serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from booky.core import health
from booky.site import urls as site_urls
from booky.site.views import home
from booky.site.views import metrics as metrics_views

# The admin's login goes through allauth, so its rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Booky moderation"
admin.site.site_title = "Booky moderation"  # the tab's title; templates/admin/base_site.html adds the favicon

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("settings/", include(site_urls.social_patterns)),
    path("", include(site_urls.people_patterns)),
    path("notifications/", include("social.urls_notifications")),
    # Before the club pages, whose <slug>/ pattern would otherwise take "invitations".
    path("clubs/invitations/", include("clubs.urls_invitations")),
    path("clubs/", include(site_urls.clubs_patterns)),
    path("books/", include(site_urls.books_patterns)),
    path("", include(site_urls.meetings_patterns)),
    path("", include("bets.urls")),
    path("api/v1/", include("booky.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # GET only: its HTML renderer has no template for OPTIONS' metadata (a 500 otherwise).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", http_method_names=["get", "head"]),
        name="swagger-ui",
    ),
]

# Uploaded media are only avatars, which social.avatars re-encodes to WebP, so serving them from
# Django is safe; a deployment with a proxy or object storage in front can set SERVE_MEDIA=0.
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}avatars/(?P<path>.+)$",
            media_serve,
            {"document_root": Path(settings.MEDIA_ROOT) / "avatars"},
        )
    ]

handler404 = "booky.core.error_pages.page_not_found"
handler403 = "booky.core.error_pages.permission_denied"
handler400 = "booky.core.error_pages.bad_request"
handler500 = "booky.core.error_pages.server_error"
