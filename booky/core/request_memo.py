"""Reads remembered for the length of one request: asked by several parts of a page, read once.

RequestMemoMiddleware opens a fresh memo for each request and drops it when the response is done
(rendering included), so nothing outlives the request it was read in. Outside a request (a task, a
shell, a test calling a selector) there is no memo and every read goes to the database.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("booky_request_memo", default=None)


def remembered[T](key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, once per request for `key`."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def forget(key: Hashable) -> None:
    """A write changed what `key` names: the next read in this request goes to the database."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


@contextmanager
def request_scope() -> Iterator[None]:
    """One request's memo: opened by the middleware (and by tests that act as one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.get_response(request)
