"""One log line per request: method, path with its query string, status, duration and user id.

The query string is what makes a search's line useful ("GET /books/?q=dune"), but query strings and
paths also carry secrets: a password-reset key in the path, a token or a signature in the query. Their
values are written as [redacted], judged by the parameter's name, so no secret reaches the log.
"""

import json
import logging
import re
import time
from urllib.parse import urlencode

logger = logging.getLogger("booky.request")

REDACTED = "[redacted]"
QUERY_MAX_LENGTH = 500  # what a log line keeps of a query string
# Parts of a parameter name (split at _, -, . and camelCase) that say its value is a secret.
_SECRET_PARTS = frozenset(
    {
        "token", "password", "passwd", "pwd", "pass", "secret", "key", "apikey", "code", "otp", "pin",
        "signature", "sig", "session", "sessionid", "csrf", "csrftoken", "csrfmiddlewaretoken", "auth",
        "authorization", "jwt", "bearer", "state", "nonce", "credential", "credentials", "uidb36", "uid",
    }
)  # fmt: skip
_NAME_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def is_secret_name(name: str) -> bool:
    """Whether a parameter called `name` may hold a secret: api_key, accessToken, X-Signature..."""
    parts = {part.lower() for part in _NAME_PARTS.findall(str(name))}
    return bool(parts & _SECRET_PARTS) or any(
        word in str(name).lower() for word in ("token", "passw", "secret")
    )


def redacted_query(query_dict) -> str:
    """The query string with secret values replaced, cut to QUERY_MAX_LENGTH."""
    pairs = [
        (name, REDACTED if is_secret_name(name) else value)
        for name, values in query_dict.lists()
        for value in values
    ]
    return urlencode(pairs, safe="[]")[:QUERY_MAX_LENGTH]


def redacted_path(request) -> str:
    """The path, with the values of secret-named URL arguments (a reset key, an invite token) hidden."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match else ():
        if is_secret_name(name) and str(value):
            path = path.replace(str(value), REDACTED)
    return path


_STANDARD_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD_RECORD_FIELDS})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        try:
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
        except Exception:  # a broken session store must not hide the request line
            user_id = None
        path = redacted_path(request)
        query = redacted_query(request.GET) if request.META.get("QUERY_STRING") else ""
        fields = {
            "method": request.method,
            "path": path,
            "query": query,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id,
        }
        logger.info(
            "%s %s %s %sms user=%s",
            request.method,
            f"{path}?{query}" if query else path,
            response.status_code,
            duration_ms,
            user_id,
            extra=fields,
        )
        return response
