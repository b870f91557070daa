"""What every book source Booky asks over the network shares: the rules that keep pages from waiting.

One `Remote` per service (books/google_books.py, books/open_library.py), each with its own small
thread pool with a bounded queue, circuit breaker, cache keys and session; the rules are the same:

- `search()` never waits: it answers from the cache (results, or a failure moments ago), or starts a
  background lookup and answers "pending"; `peek()` reads the cache only. Every lookup has its answer,
  results or unavailable, by the service's LOOKUP_SECONDS, whatever the remote does.
- Each exchange keeps connect/read timeouts of 2 s / 3 s and the service's TOTAL_DEADLINE, which also
  bounds the single retry (on 429/5xx, only when Retry-After asks for at most 1 s), and a body cap.
- After five failed calls in a row the breaker skips remote calls for 60 s. Answers are cached for
  24 h, failures remembered for FAILURE_MEMORY_SECONDS, all in Django's cache so every worker
  process shares them (and the breaker).
- With `min_interval`, at most one request per that many seconds leaves this process.

The service module owns its knobs (TOTAL_DEADLINE, LOOKUP_SECONDS, FAILURE_MEMORY_SECONDS) and its
`clock()`/`sleep()`; they are read from the module at call time, so tests monkeypatch the module.

Pool threads never touch the database or settings: callers read settings and pass the values in.
Nothing here raises to callers except `Unavailable` and `NotFound`, from the waiting calls only.
"""

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from types import ModuleType

import requests
import urllib3
from django.core.cache import cache

from booky.core import metrics

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 3.0
MAX_RETRY_AFTER = 1.0
DEFAULT_RETRY_DELAY = 0.25
MIN_ATTEMPT_TIME = 0.5  # not worth asking (or retrying) with less time than this left
MAX_BODY_BYTES = 1_000_000
FAILURES_TO_OPEN = 5
OPEN_SECONDS = 60
CACHE_SECONDS = 24 * 60 * 60
READ_CHUNK = 65536


class Unavailable(Exception):
    """The service did not give a usable answer (down, slow, refused, rate-limited, garbage)."""


class NotFound(Exception):
    """The service answered, and has no such thing (HTTP 400 or 404)."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def retry_delay(response: requests.Response) -> float | None:
    """Seconds to wait before the one retry, or None when the server asks for longer than we wait."""
    header = response.headers.get("Retry-After")
    if header is None:
        return DEFAULT_RETRY_DELAY
    try:
        seconds = float(header)
    except ValueError:
        return None  # an HTTP date: certainly further away than we are willing to wait
    if seconds < 0 or seconds > MAX_RETRY_AFTER:
        return None
    return seconds


def read_body(response: requests.Response, deadline: float) -> bytes:
    """The body, read as it arrives (read1 returns after each packet) so the deadline is checked often."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Unavailable(f"body of {declared} bytes")
    body = bytearray()
    try:
        while chunk := response.raw.read1(READ_CHUNK, decode_content=True):
            body.extend(chunk)
            if len(body) > MAX_BODY_BYTES:
                raise Unavailable("body over the size limit")
            if time.monotonic() > deadline:
                raise Unavailable("body took too long")
    except urllib3.exceptions.HTTPError as error:
        raise Unavailable(type(error).__name__) from error
    return bytes(body)


def normalize_query(text: str, limit: int = 200) -> str:
    """The cache key's form of a query: no NULs, single spaces, lower case, bounded length."""
    return " ".join((text or "").replace("\x00", " ").split()).lower()[:limit]


def clean_text(value, limit: int) -> str:
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def clean_texts(value, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(text for item in value[:20] if (text := clean_text(item, limit)))


def page_count(value) -> int | None:
    """A page count a Book can hold (1 to 20,000), or None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 20_000:
        return value
    return None


class Remote:
    """One external book source: its pool, breaker, cache and the outcomes its callers see.

    `item_type` has `to_cache()`, `from_cache(data)` and `cache_id`; `outcome_type(items, available,
    pending=False)` is what search() and peek() answer.
    """

    def __init__(
        self,
        *,
        name: str,
        label: str,
        module: ModuleType,
        item_type,
        outcome_type,
        is_configured: Callable[[], bool],
        workers: int,
        queue_limit: int,
        user_agent: str = "Booky/1.0 (book club app)",
        min_interval: float = 0.0,
    ):
        self.name = name
        self.label = label
        self.module = module
        self.item_type = item_type
        self.outcome_type = outcome_type
        self.is_configured = is_configured
        self.min_interval = min_interval
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        # One slot per job running or queued: bounds both the threads and the queue in front of them.
        self.slots = threading.BoundedSemaphore(workers + queue_limit)
        self.jobs: set[Future] = set()  # background lookups not finished yet (tests wait for them)
        self.jobs_lock = threading.Lock()
        self._pace_lock = threading.Lock()
        self._last_request_at: float | None = None
        self._failures_key = f"books:{name}:failures"
        self._open_until_key = f"books:{name}:open-until"

    @property
    def unavailable(self):
        return self.outcome_type([], False)

    @property
    def pending(self):
        return self.outcome_type([], True, True)

    def clock(self) -> float:
        return self.module.clock()

    # --- circuit breaker --------------------------------------------------------------------------

    def circuit_is_open(self) -> bool:
        open_until = cache.get(self._open_until_key)
        return open_until is not None and self.clock() < open_until

    def record_success(self) -> None:
        cache.delete_many([self._failures_key, self._open_until_key])

    def record_failure(self, reason: str) -> None:
        metrics.book_source_errors.labels(self.name, metrics.error_kind(reason)).inc()
        cache.add(self._failures_key, 0, timeout=CACHE_SECONDS)
        try:
            failures = cache.incr(self._failures_key)
        except ValueError:  # expired between add and incr
            cache.set(self._failures_key, 1, timeout=CACHE_SECONDS)
            failures = 1
        # Once open, every further failure (the trial call after the pause) re-opens it at once.
        if failures >= FAILURES_TO_OPEN:
            cache.set(self._open_until_key, self.clock() + OPEN_SECONDS, timeout=CACHE_SECONDS)

    # --- HTTP -------------------------------------------------------------------------------------

    def _wait_for_turn(self, deadline: float) -> None:
        """At most one request per `min_interval` from this process; Unavailable if the turn comes too late."""
        if not self.min_interval:
            return
        with self._pace_lock:
            if self._last_request_at is not None:
                # At most min_interval even if the wall clock stepped back since the last request.
                wait = min(self.min_interval, self._last_request_at + self.min_interval - self.clock())
                if wait > 0:
                    if deadline - time.monotonic() - wait < MIN_ATTEMPT_TIME:
                        raise Unavailable("no turn within the deadline")
                    self.module.sleep(wait)
            self._last_request_at = self.clock()

    def forget_last_request(self) -> None:
        with self._pace_lock:
            self._last_request_at = None

    def get_json(self, url: str, params: dict, deadline: float, headers: dict | None = None) -> dict:
        """One GET with the timeouts, the deadline and at most one retry; the parsed JSON object.

        Runs in a pool thread: touches neither the database nor Django's cache or settings.
        """
        for attempt in (1, 2):
            remaining = deadline - time.monotonic()
            if remaining <= 0:  # queued behind other calls until its time was up
                raise Unavailable("no time left")
            self._wait_for_turn(deadline)
            remaining = deadline - time.monotonic()
            timeout = (min(CONNECT_TIMEOUT, remaining), min(READ_TIMEOUT, remaining))
            try:
                with self.session.get(
                    url, params=params, headers=headers, timeout=timeout, stream=True, allow_redirects=False
                ) as response:
                    if response.status_code == 429 or response.status_code >= 500:
                        delay = retry_delay(response)
                        if (
                            attempt == 1
                            and delay is not None
                            and deadline - time.monotonic() - delay >= MIN_ATTEMPT_TIME
                        ):
                            self.module.sleep(delay)
                            continue
                        raise Unavailable(f"HTTP {response.status_code}")
                    if response.status_code in (400, 404):
                        raise NotFound(response.status_code)
                    if response.status_code != 200:
                        raise Unavailable(f"HTTP {response.status_code}")
                    body = read_body(response, deadline)
            except requests.RequestException as error:
                raise Unavailable(type(error).__name__) from error
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError) as error:
                raise Unavailable("not JSON") from error
            if not isinstance(data, dict):
                raise Unavailable("JSON is not an object")
            return data
        raise Unavailable("no attempt left")  # pragma: no cover - the loop always returns or raises

    def submit(self, job, *args) -> Future | None:
        """Run `job(*args)` in the pool, or None at once when every worker and queue place is taken."""
        if not self.slots.acquire(blocking=False):
            return None
        try:
            future = self.pool.submit(job, *args)
        except RuntimeError:  # the interpreter is shutting down
            self.slots.release()
            return None
        with self.jobs_lock:
            self.jobs.add(future)

        def done(_):
            with self.jobs_lock:
                self.jobs.discard(future)
            self.slots.release()

        future.add_done_callback(done)
        return future

    def call(self, fetch: Callable[[float], object]):
        """`fetch(deadline)` in a pool thread behind the breaker, waited for at most TOTAL_DEADLINE.

        For the few calls a request must wait for (an import); Unavailable or NotFound otherwise.
        """
        if self.circuit_is_open():
            raise Unavailable("circuit open")
        started = time.monotonic()
        deadline = started + self.module.TOTAL_DEADLINE
        future = self.submit(fetch, deadline)
        try:
            if future is None:
                raise Unavailable("all workers busy")
            try:
                result = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout as error:
                raise Unavailable("no answer within the deadline") from error
        except Unavailable as error:
            logger.warning("%s unavailable: %s", self.label, error)
            self.record_failure(str(error))
            raise
        except NotFound:
            self.record_success()  # a clear "no" is a healthy answer
            raise
        self.record_success()
        return result

    # --- cache ------------------------------------------------------------------------------------

    def _query_key(self, query: str) -> str:
        return f"books:{self.name}:q:{_digest(query)}"

    def _item_key(self, item_id: str) -> str:
        return f"books:{self.name}:v:{item_id}"

    def _pending_key(self, query: str) -> str:
        return f"books:{self.name}:pending:{_digest(query)}"

    def _failed_key(self, query: str) -> str:
        return f"books:{self.name}:failed:{_digest(query)}"

    def cached_item(self, item_id: str):
        cached = cache.get(self._item_key(item_id))
        return self.item_type.from_cache(cached) if cached is not None else None

    def store_item(self, item) -> None:
        cache.set(self._item_key(item.cache_id), item.to_cache(), timeout=CACHE_SECONDS)

    def _store(self, query: str, items: list) -> None:
        cache.set(self._query_key(query), [item.to_cache() for item in items], timeout=CACHE_SECONDS)
        cache.set_many(
            {self._item_key(item.cache_id): item.to_cache() for item in items}, timeout=CACHE_SECONDS
        )

    def _remember_failure(self, query: str) -> None:
        cache.set(self._failed_key(query), self.clock(), timeout=self.module.FAILURE_MEMORY_SECONDS)

    def _known(self, query: str):
        """The cached results, or unavailable for a query that failed moments ago; None when neither."""
        cached = cache.get(self._query_key(query))
        if cached is not None:
            return self.outcome_type([self.item_type.from_cache(data) for data in cached], True)
        failed_at = cache.get(self._failed_key(query))
        if failed_at is not None and self.clock() < failed_at + self.module.FAILURE_MEMORY_SECONDS:
            return self.unavailable
        return None

    def _pending_or_late(self, answer_by):
        """Pending while a lookup still has time; a lookup stuck past its time counts as unavailable."""
        return self.unavailable if answer_by is not None and self.clock() > answer_by else self.pending

    # --- searches ---------------------------------------------------------------------------------

    def _search_job(self, query: str, fetch: Callable[[float], list], answer_by: float) -> None:
        """A background lookup: asks once (with the one retry) and leaves the outcome in the cache.

        Always ends with results or a remembered failure, so whoever polls gets an answer.
        """
        try:
            if self.circuit_is_open():  # opened while this job waited: not a new failure
                self._remember_failure(query)
                return
            remaining = min(self.module.TOTAL_DEADLINE, answer_by - self.clock())
            if remaining < MIN_ATTEMPT_TIME:
                raise Unavailable("waited too long for a worker")
            items = fetch(time.monotonic() + remaining)
        except NotFound:  # the service refused the query itself: a healthy "no"
            self.record_success()
            self._remember_failure(query)
        except Exception as error:  # Unavailable, or a bug: either way the poller must hear "unavailable"
            if isinstance(error, Unavailable):
                logger.warning("%s unavailable: %s", self.label, error)
            else:
                logger.exception("%s lookup failed", self.label)
            self.record_failure(str(error) if isinstance(error, Unavailable) else "bug")
            self._remember_failure(query)
        else:
            self.record_success()
            self._store(query, items)
        finally:
            cache.delete(self._pending_key(query))

    def search(self, query: str, fetch: Callable[[float], list]):
        """The results for the normalized `query` if known; never waits on the network.

        Otherwise starts `fetch(deadline)` in the background (unless a lookup for this query is running
        in any process that shares the cache) and answers pending; unavailable when it cannot ask now.
        """
        if not query:
            return self.outcome_type([], True)
        known = self._known(query)
        if known is not None:
            return known
        if not self.is_configured() or self.circuit_is_open():
            return self.unavailable
        lookup_seconds = self.module.LOOKUP_SECONDS
        answer_by = self.clock() + lookup_seconds
        if not cache.add(self._pending_key(query), answer_by, timeout=int(lookup_seconds) + 5):
            return self._pending_or_late(cache.get(self._pending_key(query)))  # someone is already asking
        if self.submit(self._search_job, query, fetch, answer_by) is None:
            cache.delete(self._pending_key(query))
            logger.warning("%s unavailable: all workers busy", self.label)
            self.record_failure("all workers busy")
            return self.unavailable
        return self.pending

    def peek(self, query: str):
        """What is known about `query` now, from the cache only: it never starts a lookup.

        Pending also when nothing is known (the lookup may run in a process that does not share this
        cache): the poller decides when to stop waiting.
        """
        if not query:
            return self.outcome_type([], True)
        known = self._known(query)
        if known is not None:
            return known
        if not self.is_configured():
            return self.unavailable
        answer_by = cache.get(self._pending_key(query))
        if answer_by is None and self.circuit_is_open():
            return self.unavailable  # nobody is asking, and nobody will for a while
        return self._pending_or_late(answer_by)
