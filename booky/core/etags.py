"""ETags: optimistic locking in the API (a row's `version` is its ETag), and 304s for polled fragments.

In the API a change names the version the client last saw, in `If-Match` or a `version` field of the body; the
service compares it with the row's and answers 409 `stale_version` when someone changed it in between.
Where a change must name one (editing a meeting, changing a bet), none at all is 428.
"""

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
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


# --- Polled fragments: 304 Not Modified when what they show has not changed -----------------------
#
# The race, the bets section and the bell are polled by every open tab. Each poll first reads a
# fingerprint of what the fragment shows (one query of counts and versions, not the rows) and, when
# the browser's If-None-Match names it, answers 304 without reading the rows or rendering anything.
# A browser revalidates by itself (htmx's XHR goes through the HTTP cache), so open tabs get this
# without any script.


@lru_cache(maxsize=1)
def release_tag() -> str:
    """What changes when a deploy changes how fragments look: the templates' paths and times.

    The same in every worker of a node (unlike a start time), so a poll that lands on the other
    worker still matches; a deploy that touches a template changes every fragment's ETag."""
    stamps = []
    for directory in [
        *settings.TEMPLATES[0]["DIRS"],
        *(Path(app.path) / "templates" for app in apps.get_app_configs()),
    ]:
        for path in sorted(Path(directory).rglob("*.html")):
            stamps.append(f"{path}:{path.stat().st_mtime_ns}")
    return hashlib.blake2b("\n".join(stamps).encode(), digest_size=6).hexdigest()


def fragment_etag(*parts) -> str:
    """A weak ETag naming `parts` (the fingerprint of what a fragment shows) and the release."""
    digest = hashlib.blake2b(repr((release_tag(), parts)).encode(), digest_size=12).hexdigest()
    return f'W/"f-{digest}"'


def not_modified(request, etag: str) -> HttpResponse | None:
    """The 304 to answer when the client's If-None-Match names `etag`, else None (render it)."""
    response = get_conditional_response(request, etag=etag)
    return with_fragment_etag(response, etag) if response is not None else None


def with_fragment_etag(response: HttpResponse, etag: str) -> HttpResponse:
    # private: per viewer; no-cache: the browser keeps the body but asks every time (If-None-Match).
    response["ETag"] = etag
    response["Cache-Control"] = REVALIDATE
    return response


REVALIDATE = "private, no-cache"
