"""The member's data export in the API, `me/export/`: the same zip as the settings page, so the site
serves it (routes: booky/site/api_urls.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from booky.core.api import ErrorSerializer
from booky.site.data_export import check_data_export_rate, data_export_response


class ZipRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/zip`; the view answers the zip's bytes itself."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class DataExportView(APIView):
    """Everything Booky holds about you, as a zip of CSV files and one JSON file."""

    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(
        summary="Download your data",
        description="A zip with one CSV file per part of your data (profile, shelves, reading progress, "
        "meetings, bets, points ledger, discussion posts, friends, clubs), the same data as "
        "`booky-export.json`, and a README.txt. At most one export a minute (shared with the settings "
        "page): the next one answers 429.",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip file."),
            **{(code, "application/json"): OpenApiResponse(ErrorSerializer) for code in (401, 404, 429)},
        },
    )
    def get(self, request):
        check_data_export_rate(request.user)
        return data_export_response(request.user)

    def head(self, request):
        check_data_export_rate(request.user, increment=False)
        return data_export_response(request.user, with_content=False)

    def handle_exception(self, exc):
        # Errors are JSON even for a client that asked for the zip only.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
