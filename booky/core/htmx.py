"""HTMX helpers every app's views share: the middleware that sets Vary, fragment or full page, login for
pages and fragments, redirects that also work for htmx requests."""

from functools import wraps
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

# Headers that choose between the full page and a fragment; read ones are named in Vary too.
REPRESENTATION_HEADERS = ("HX-Boosted", "HX-History-Restore-Request", "HX-Target")


class TrackedHtmxDetails(HtmxDetails):
    """django-htmx's request.htmx, remembering which htmx headers the view (or its template) read."""

    def __init__(self, request):
        super().__init__(request)
        self.headers_read: set[str] = set()

    def _get_header_value(self, name: str) -> str | None:
        self.headers_read.add(name)
        return super()._get_header_value(name)


class HtmxMiddleware:
    """django-htmx's middleware, plus `Vary: HX-Request` on every response that looked at the htmx
    headers: a cache must not hand a fragment to a full-page visit, or the page to an htmx swap.
    Deciding it from what was read means no view can forget the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = details = TrackedHtmxDetails(request)
        response = self.get_response(request)
        if details.headers_read:
            read = [name for name in REPRESENTATION_HEADERS if name in details.headers_read]
            patch_vary_headers(response, ["HX-Request", *read])
        return response


def is_fragment_request(request) -> bool:
    """HTMX asked for a piece of the page (not a boosted navigation or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def safe_path(request, url: str | None) -> str | None:
    """The path (and query) of `url` when it points at this site, else None."""
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return None
    parts = urlsplit(url)
    if not (parts.path or "/").startswith("/"):  # a bare word would be read as a URL name by redirect()
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def login_url_for(request) -> str:
    """Where to send an anonymous visitor: back to the page they were on after logging in."""
    if request.method in ("GET", "HEAD"):
        next_url = request.get_full_path()
    else:
        htmx_page = request.htmx.current_url_abs_path if request.htmx else None
        next_url = safe_path(request, htmx_page) or safe_path(request, request.headers.get("Referer")) or "/"
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def login_required_page(view):
    """Like login_required, but HTMX requests get HX-Redirect to the login page instead of a swapped form."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            return HttpResponseClientRedirect(login_url_for(request))
        if request.method in ("GET", "HEAD"):
            return redirect_to_login(request.get_full_path())
        return redirect(login_url_for(request))

    return wrapper


def redirect_for(request, url: str):
    """A redirect that also works for HTMX requests (which would otherwise swap the target page in)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
