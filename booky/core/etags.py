"""Optimistic locking in the API: a row's `version` is its ETag.

A change names the version the client last saw, in `If-Match` or a `version` field of the body; the
service compares it with the row's and answers 409 `stale_version` when someone changed it in between.
Where a change must name one (editing a meeting, changing a bet), none at all is 428.
"""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from booky.core.errors import DomainError

# W/"3", "3" or a bare 3: the version this API hands out as the ETag.
ETAG_PATTERN = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag you got, e.g. W/"3". Or send the `version` field instead.',
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 409],
    description='The version of what the answer shows, e.g. W/"3": send it back as If-Match.',
)


class PreconditionRequired(DomainError):
    status_code = 428
    code = "version_required"


def etag(version: int) -> str:
    # Weak: the body also carries per-viewer data (your RSVP), the version names the row's state.
    return f'W/"{version}"'


def expected_version(request, body_version: int | None) -> int | None:
    """The version the client last saw, from `If-Match` or the body's `version`; they must agree."""
    header = request.headers.get("If-Match", "").strip()
    header_version = None
    if header:
        match = ETAG_PATTERN.match(header)
        if not match:
            raise DomainError(
                'If-Match must be the ETag this API returned, e.g. W/"3".', code="invalid_if_match"
            )
        header_version = int(match.group(1))
    if header_version is not None and body_version is not None and header_version != body_version:
        raise DomainError("If-Match and the version field name different versions.", code="version_mismatch")
    return header_version if header_version is not None else body_version
