"""What the clubs API views share: the club a `clubs/{club_slug}/...` route names, looked up once
among the clubs the caller sees, and the `search` text that narrows a list."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.generics import get_object_or_404

from clubs.models import Club
from clubs.serializers import SearchQuerySerializer

SEARCH_PARAMETER = OpenApiParameter("search", str, description="Filter by text (case-insensitive).")
CLUB_SLUG = OpenApiParameter("club_slug", str, OpenApiParameter.PATH, description="The club's slug.")


def search_text(request) -> str:
    query = SearchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("search", "").strip()


class ClubChildMixin:
    """Views under clubs/{club_slug}/: the club is looked up once, and only among clubs the caller sees."""

    def get_club(self) -> Club:
        if not hasattr(self, "_club"):
            self._club = get_object_or_404(
                Club.objects.visible_to(self.request.user), slug=self.kwargs["club_slug"]
            )
        return self._club
