"""The address links in emails point at: `SITE_URL` when set, else the host the causing request came
to, else a default.

Emails are sent by the worker, after the request has gone: `notify` captures the request's
scheme and host (set here by the middleware for the request's duration) and hands it to the task.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost

_request_site_url: ContextVar[str] = ContextVar("request_site_url", default="")


class RequestSiteUrlMiddleware:
    """Remember `scheme://host` of the request being served (get_host() checks ALLOWED_HOSTS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            value = f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            value = ""
        token = _request_site_url.set(value)
        try:
            return self.get_response(request)
        finally:
            _request_site_url.reset(token)


def request_site_url() -> str:
    """`scheme://host` of the request being served, or "" outside a request (worker, shell, sweep)."""
    return _request_site_url.get()


def site_url(request_url: str = "") -> str:
    """Where links point, without a trailing slash."""
    return (settings.SITE_URL or request_url or settings.SITE_URL_DEFAULT).rstrip("/")
