"""What the poll routes share, here and in meetings (polls/{id}/schedule/)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

POLL_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The poll's id.")
