"""When the database is unreachable, every request answers 503 with `Retry-After`, never 500.

A lost database is an outage the client can wait out, not a bug: monitors and load balancers treat
503 + Retry-After as "try again", and people see the site's layout with a plain explanation.

Three places catch it, because Django hands a failure to different code depending on where it happens:
- `DatabaseUnavailableMiddleware.process_exception`: the view and the rendering of its template
  (where nearly every query runs, including the lazy session and user lookups);
- `booky.core.api.exception_handler`: DRF catches exceptions of API views (and their authentication) itself;
- `booky.core.error_pages.server_error` (handler500): a failure inside another middleware's response phase
  (saving the session, storing flash messages) reaches only the 500 handler.

The 503 page is rendered without a request context: the context processors would look up the user
through the session, which needs the database that is gone.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("booky.core.outages")

# OperationalError: connection refused or lost, server shutting down, too many clients, a lock or
# statement timeout. InterfaceError: a connection that was already closed. Both pass with time;
# ProgrammingError, IntegrityError and DataError are bugs and stay 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 30
DETAIL = "Booky cannot reach its database right now. Please try again in a minute."


def wants_json(request) -> bool:
    """API clients (the REST API, allauth's headless API, anyone asking for JSON) get JSON errors."""
    return request.path.startswith(("/api/", "/_allauth/")) or "application/json" in request.headers.get(
        "Accept", ""
    )


def is_database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_UNAVAILABLE)


def service_unavailable(request, *, detail: str = DETAIL) -> HttpResponse:
    """503 with Retry-After: JSON `{"detail", "code": "service_unavailable"}` or the HTML page."""
    if wants_json(request):
        response = JsonResponse({"detail": detail, "code": "service_unavailable"}, status=503)
    else:
        # No request: no context processors, so nothing here touches the session or the database.
        response = HttpResponse(render_to_string("503.html", {"detail": detail}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def log_unavailable(request, error: BaseException) -> None:
    logger.warning(
        "Database unavailable: %s %s answered 503 (%s: %s)",
        request.method,
        request.path,
        type(error).__name__,
        error,
    )


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        log_unavailable(request, exception)
        return service_unavailable(request)
