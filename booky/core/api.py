"""Shared API pieces: the error body and its schema, pagination, the role check every view makes
first, and the one exception handler that shapes every error as JSON."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from booky.core import outages
from booky.core.errors import DomainError, NotAllowed
from booky.core.numbers import is_ascii_integer


class ErrorSerializer(serializers.Serializer):
    """The body of every error this API answers (the `Error` schema)."""

    detail = serializers.CharField(help_text="A message a person can read.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. `already_member`.")
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Validation errors per field (400 only): a list of messages, or for a list or nested "
        'object the same shape by index or key, e.g. `{"usernames": {"0": ["..."]}}`.',
    )


def error_responses(*codes: int) -> dict:
    """The schema's `responses` entries for error statuses that answer with the plain `Error` body."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


def require(allowed: bool, message: str) -> None:
    """A role check made before the input is read: a caller without the right role gets 403 whatever
    they send (the services check again)."""
    if not allowed:
        raise NotAllowed(message)


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    # ?page=٥ is not page 5 (int() would read it so): it is an invalid page, like ?page=five.
    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if number in self.last_page_strings or is_ascii_integer(number):
            return number
        raise exceptions.NotFound(
            self.invalid_page_message.format(page_number=number, message="Not a number.")
        )

    def get_page_size(self, request):
        if not is_ascii_integer(request.query_params.get(self.page_size_query_param, "20")):
            return self.page_size
        return super().get_page_size(request)


def require_changes(changes: dict, fields) -> None:
    """A PATCH must name at least one field it can change: one that names none (or only unknown
    keys, which serializers drop) is a client mistake, answered 400 without touching the row."""
    if not changes:
        names = ", ".join(fields)
        raise DomainError(f"Nothing to change: send at least one of {names}.", code="no_changes")


def _first_message(detail) -> str:
    """The first human-readable message of a DRF error detail (str, list or dict)."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def exception_handler(exc, context):
    """Every API error is `{"detail": "...", "code": "..."}` (plus `errors` per field for validation)."""
    if outages.is_database_unavailable(exc):
        request = context.get("request")
        outages.log_unavailable(request, exc)
        return outages.service_unavailable(request)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _first_message(exc.detail),
            "code": "invalid",
            "errors": exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail},
        }
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "detail": _first_message(exc.detail) if isinstance(exc, exceptions.APIException) else str(exc),
            "code": codes if isinstance(codes, str) else "error",
        }
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
