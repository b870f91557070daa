"""The error pages (JSON under /api/, HTML elsewhere), wired as Django's handler404/403/400/500 and
CSRF_FAILURE_VIEW."""

import sys

from django.http import JsonResponse
from django.shortcuts import render

from booky.core import outages
from booky.core.request_bodies import MalformedBody


def _error(request, status: int, code: str, detail: str, template: str):
    if outages.wants_json(request):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return render(request, template, {"detail": detail}, status=status)


def page_not_found(request, exception=None):
    message = "We could not find that page. It may have moved, or you may not have access to it."
    return _error(request, 404, "not_found", message, "404.html")


def permission_denied(request, exception=None):
    detail = str(exception) if exception and str(exception) else "You do not have permission to do that."
    return _error(request, 403, "permission_denied", detail, "403.html")


def bad_request(request, exception=None):
    detail = (
        str(exception) if isinstance(exception, MalformedBody) else "The request could not be understood."
    )
    return _error(request, 400, "bad_request", detail, "400.html")


def server_error(request):
    # A database failure in another middleware (saving the session) lands here, not in a view.
    if outages.is_database_unavailable(sys.exception()):
        return outages.service_unavailable(request)
    return _error(
        request, 500, "server_error", "Something went wrong on our side. Please try again.", "500.html"
    )


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (a stale tab, cookies blocked): say what to do."""
    return _error(
        request,
        403,
        "csrf_failed",
        "This form expired or your browser blocked our cookie. Reload the page and try again.",
        "403.html",
    )
