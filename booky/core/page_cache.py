"""Rendered pages kept per viewer for a few seconds, and served again while no data has changed.

Most of a page's time is Python (building querysets, rendering rows), not SQL, so the way to serve the
many readers of a club near the framework's floor is not to build the same page twice. A page is
stored under a key naming everything its answer depends on:

- the data version (booky/core/data_version.py): it changes whenever any write commits, by anyone,
  in any process, so a stored page is never older than the latest write;
- the viewer (user id, or a visitor), their CSRF secret (the page's forms carry a token for it) and
  time zone; the path and query; the headers that choose the representation (htmx's, Accept);
- the release (templates' files) and a time window of PAGE_CACHE_SECONDS: relative times ("5 minutes
  ago") and what depends on the clock alone (a meeting that has started) are at most that old.

What is never stored: anything but a 200 to a GET of a view in CACHEABLE_VIEWS; an answer whose
request wrote to the database, changed the session, set the CSRF cookie, or showed flash messages.
A stored answer with an ETag also answers 304 to a poll that names it, with no SQL beyond the user.

On only with a cache shared by every process (REDIS_URL): with a per-process cache, a write in the
task worker could not reach the web server's copy of the data version. PAGE_CACHE_SECONDS=0 turns
it off.
"""

import contextlib
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response

from booky.core import data_version
from booky.core.etags import release_tag
from booky.core.replicas import current_reads

# Read pages and the fragments they poll; each answers GET without side effects.
CACHEABLE_VIEWS = frozenset(
    {
        "home",
        "clubs:directory",
        "clubs:mine",
        "clubs:detail",
        "clubs:members",
        "clubs:polls",
        "clubs:poll",
        "clubs:archive",
        "meetings:reviews",
        "meetings:plan",
        "people:year",
        "people:year_of",
        "meetings:detail",
        "meetings:discussion",
        "meetings:mine",
        "bets:meeting",
        "bets:leaderboard",
        "bets:points",
        "books:detail",
        "books:shelves",
        "books:import_status",
        "notifications:bell",
        "notifications:list",
        "people:friends",
        "people:profile",
    }
)
# API reads; the viewer is whoever the API itself would authenticate (a Bearer token, or the session).
CACHEABLE_API_VIEWS = frozenset(
    {
        "api-club-list",
        "api-club-detail",
        "api-club-member-list",
        "api-club-meeting-list",
        "api-meeting-attendees",
        "api-friend-list",
        "api-user",
        "api-me",
        "api-my-meeting-list",
        "api-meeting-detail",
        "api-meeting-bets",
        "api-book-detail",
        "api-notification-list",
        "api-leaderboard",
        "api-my-points",
        "api-club-poll-list",
        "api-poll-detail",
        "api-my-shelf-list",
        "api-user-shelves-shelves",
        "api-shelf-import-detail",
    }
)
# Request headers that change the answer for the same path and viewer.
REPRESENTATION_HEADERS = (
    "HX-Request",
    "HX-Boosted",
    "HX-History-Restore-Request",
    "HX-Target",
    "HX-Trigger",
    "HX-Trigger-Name",
    "Accept",
)
# Response headers a stored answer keeps (the rest are added again by the middleware on the way out).
KEPT_HEADERS = (
    "Content-Type",
    "ETag",
    "Cache-Control",
    "Vary",
    "Content-Language",
    "HX-Trigger",
    "Last-Modified",
)
LARGEST_STORED = 512 * 1024


def _seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def _has_pending_messages(request) -> bool:
    session = getattr(request, "session", None)
    return session is not None and "_messages" in session


def _page_viewer(request) -> int:
    user = request.user
    return user.pk if user.is_authenticated else 0


def _api_viewer(request) -> int | None:
    """The API caller's user id (0 for nobody), or None when the API must decide (a bad token)."""
    forced = getattr(request, "_force_auth_user", None)  # DRF's test client authenticates so
    if forced is not None:
        return forced.pk
    if not request.headers.get("Authorization"):
        return _page_viewer(request)
    from allauth.headless.contrib.rest_framework.authentication import JWTTokenAuthentication
    from rest_framework.request import Request

    try:
        authenticated = JWTTokenAuthentication().authenticate(Request(request))
    except Exception:  # an invalid or expired token: the API answers it (401), not a stored page
        return None
    if authenticated is None or not authenticated[0].is_active:
        return None
    return authenticated[0].pk


def page_key(request, version: str, seconds: int, viewer: int) -> str:
    parts = (
        version,
        int(time.time() // seconds),
        release_tag(),
        request.method == "HEAD",
        request.get_full_path(),
        viewer,
        request.META.get("CSRF_COOKIE", ""),
        timezone.get_current_timezone_name(),
        tuple(request.headers.get(name, "") for name in REPRESENTATION_HEADERS),
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"booky:page:{viewer}:{digest}"


def _may_lag_the_version(request) -> bool:
    """Whether the page may have been read from a replica that had not replayed the latest write yet.

    Stored under the data version of a write the page does not show, it would be served to everyone
    as fresh. A replica in use is at most REPLICA_MAX_LAG_SECONDS behind when checked, and checked
    every REPLICA_CHECK_SECONDS: a write older than both together is on it.
    """
    reads = current_reads()
    if reads is None or not reads.read_a_replica:
        return False
    age = data_version.age_seconds(request._page_cache_version)
    return age is None or age < settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS


def _storable(request, response) -> bool:
    if response.streaming or response.cookies:
        return False
    if response.status_code != 200 and not (response.status_code == 304 and response.has_header("ETag")):
        return False
    if len(response.content) > LARGEST_STORED or data_version.request_wrote():
        return False
    if _may_lag_the_version(request):
        return False
    if request._page_cache_api and not response.get("Content-Type", "").startswith("application/json"):
        return False  # the browsable API's HTML carries a CSRF token and the session's user
    if request.META.get("CSRF_COOKIE", "") != request._page_cache_csrf:
        return False  # the page made the visitor's first CSRF secret: its cookie goes out with this answer
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return not (
        messages is not None and (getattr(messages, "used", False) or getattr(messages, "added_new", False))
    )


def _replay(request, entry: dict) -> HttpResponse | None:
    """The stored answer, a 304 when the client already has it, or None (a stored 304 for a client
    that does not name its ETag: the view answers)."""
    etag = entry["headers"].get("ETag")
    if etag:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            for name in ("ETag", "Cache-Control", "Vary"):
                if name in entry["headers"]:
                    not_modified[name] = entry["headers"][name]
            return not_modified
    if entry["body"] is None:
        return None
    response = HttpResponse(entry["body"], status=200)
    for name, value in entry["headers"].items():
        response[name] = value
    return response


class PageCacheMiddleware:
    """Last in MIDDLEWARE: it decides in process_view, once the viewer, the CSRF secret and the time
    zone are known, and stores what the view answered on the way back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tracking = data_version.request_started()
        try:
            response = self.get_response(request)
            key = getattr(request, "_page_cache_key", None)
            if key is not None and _storable(request, response):
                entry = {
                    # A poll's 304 is kept too (no body): the next polls naming that ETag get theirs
                    # from it, without the view's fingerprint query.
                    "body": response.content if response.status_code == 200 else None,
                    "headers": {name: response[name] for name in KEPT_HEADERS if name in response},
                }
                with contextlib.suppress(Exception):  # a full cache only costs the next request a render
                    cache.set(key, entry, _seconds())
            return response
        finally:
            data_version.request_finished(tracking)

    def process_view(self, request, view_func, view_args, view_kwargs):
        seconds = _seconds()
        if seconds <= 0 or request.method not in ("GET", "HEAD"):
            return None
        try:
            return self._stored_answer(request, seconds)
        except Exception:
            # The session or the user could not be read (the database is down, say): the view
            # answers as it would without this middleware (booky/core/outages.py makes that a 503).
            return None

    def _stored_answer(self, request, seconds: int):
        match = request.resolver_match
        if match is None or _has_pending_messages(request):
            return None
        if match.view_name in CACHEABLE_VIEWS:
            viewer, api = _page_viewer(request), False
        elif match.view_name in CACHEABLE_API_VIEWS:
            viewer, api = _api_viewer(request), True
            if viewer is None:
                return None
        else:
            return None
        version = data_version.current()
        if not version:
            data_version.bump()
            version = data_version.current()
            if not version:
                return None
        key = page_key(request, version, seconds, viewer)
        try:
            entry = cache.get(key)
        except Exception:
            return None
        replayed = _replay(request, entry) if entry is not None else None
        if replayed is None:
            request._page_cache_key = key
            request._page_cache_version = version
            request._page_cache_api = api
            request._page_cache_csrf = request.META.get("CSRF_COOKIE", "")
        return replayed
