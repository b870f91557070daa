"""Which database a web request reads from, and the cookie that pins a user to the primary.

Reads go to a read replica only inside a web request that this middleware let through; everywhere
else (tasks, management commands, shells, tests that call a service) there is no request state and
the router (booky/core/db_router.py) reads from the primary. Tasks read to write: a replica that is
a second behind would make them act on old rows, and they are few, so the primary serves them.

A request reads from the primary, not a replica, when:
- its method is unsafe (POST, PUT, PATCH, DELETE): it writes, and what it reads feeds the write;
- it carries a valid pin cookie: the same browser wrote within REPLICA_PIN_SECONDS, and must see
  what it wrote (read-your-writes) even if the replica has not replayed it yet;
- anything in it was routed for writing (a GET that marks notifications read, say): from then on,
  for the rest of the request, and its answer sets the pin cookie too.

The pin is set after any unsafe request, and after a safe one that wrote: unsafe methods alone would
miss the GETs that write, and "a write ran" alone would miss a POST whose write happened in a
middleware after this one (the session's save) or in a task queued for the worker.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from booky.core.replica_metrics import replica_fallbacks

PIN_COOKIE = "booky_primary"
_PIN_SALT = "booky.core.replicas.pin"
_PIN_VALUE = "primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class RequestReads:
    """One web request's routing state; the router reads and updates it."""

    primary_only: bool
    wrote: bool = False
    # The replica this request reads from, chosen at its first read, so its reads see one snapshot
    # of replay progress rather than several.
    replica: str | None = None
    # Whether any read went to a replica: what it showed may lag the latest write (booky/core/page_cache.py).
    read_a_replica: bool = False
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)

    def skip(self, alias: str, reason: str) -> None:
        """`alias` could not serve this request's reads (reason "down" or "lag"); counted once."""
        if alias not in self.skipped:
            self.skipped.add(alias)
            replica_fallbacks.labels(replica=alias, reason=reason).inc()


_reads: ContextVar[RequestReads | None] = ContextVar("booky_request_reads", default=None)


def current_reads() -> RequestReads | None:
    """This request's routing state; None outside a web request (read from the primary)."""
    return _reads.get()


@contextmanager
def reads_scope(*, primary_only: bool) -> Iterator[RequestReads]:
    """Route reads as one web request does (the middleware, and checks that act as one)."""
    reads = RequestReads(primary_only=primary_only)
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_PIN_SALT)


def pin_cookie_value() -> str:
    return _signer().sign(_PIN_VALUE)


def pin_is_valid(value: str | None) -> bool:
    """A pin signed by this site within the last REPLICA_PIN_SECONDS."""
    if not value:
        return False
    try:
        return _signer().unsign(value, max_age=settings.REPLICA_PIN_SECONDS) == _PIN_VALUE
    except signing.BadSignature:  # tampered, or expired (SignatureExpired is a BadSignature)
        return False


class ReplicaReadsMiddleware:
    """Opens each request's routing state; pins writers to the primary; retries a failed replica read.

    It sits right after SessionMiddleware: the session (and the user behind it) is loaded lazily, on
    first use, inside this scope, so a user just logged in by a POST finds their session on the
    primary. The session's own save happens outside, in SessionMiddleware, and always goes to the
    primary (writes do).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.REPLICA_ALIASES:
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        primary_only = unsafe or pin_is_valid(request.COOKIES.get(PIN_COOKIE))
        with reads_scope(primary_only=primary_only) as reads:
            response = self.get_response(request)
            if reads.failed and not primary_only:
                # A replica went away after its health check, and the error surfaced somewhere in the
                # request (a 503 from booky.core.outages, a 500, or swallowed). The request is safe,
                # so it runs once more, whole, on the primary: simpler than retrying single queries,
                # which would need to know what the code around them had already done with the
                # failure. Every read before a write goes to the replica and every one after it to
                # the primary, so a request that wrote cannot get here unless its code caught the
                # error and wrote anyway; the GETs that write at all (marking things read) repeat
                # harmlessly.
                reads.primary_only = True
                response = self.get_response(request)
        if unsafe or reads.wrote:
            response.set_cookie(
                PIN_COOKIE,
                pin_cookie_value(),
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
