"""Google Books client: the only module in Booky that talks to the network.

Built so that no web request ever waits on Google. `search()` answers at once from what is known
(cached results, a recent failure) and otherwise starts a background lookup in a small module-level
thread pool with a bounded queue, answering "pending"; the page (or API client) picks the result up
from the cache with `peek()`, which never starts anything. Every lookup has its answer, results or
"unavailable", by LOOKUP_SECONDS after it was asked, whatever the remote does: a job that waited too
long for a worker gives up without calling, and `peek()` reads a job stuck past that time (a server
that drips its headers one byte at a time) as unavailable. Inside the pool the exchange keeps its
own connect/read timeouts of 2 s / 3 s and a TOTAL_DEADLINE, which also bounds the single retry (on
429/5xx, only when Retry-After asks for at most 1 s). When every worker and queue place is taken,
Google counts as unavailable at once. After five failed calls in a row a circuit breaker skips
remote calls for 60 s. Answers are cached for 24 h under the normalized query, failures remembered
for FAILURE_MEMORY_SECONDS, both in Django's cache so every worker process shares them (and the
breaker).

Importing one volume (`fetch_volume`, a POST) still waits for its answer, at most TOTAL_DEADLINE, and
is usually served by the cache a search filled.

Pool threads never touch the database or settings (the caller reads them and passes them in); the
search jobs write their outcome to the cache, which is how other requests and processes see it.

Callers get `SearchOutcome(volumes, available, pending)`; they never see an exception from here.
"""

import hashlib
import json
import logging
import re
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from books import isbn as isbn_lib
from books.dates import coerce_published_date

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 3.0
TOTAL_DEADLINE = 3.2  # the most a page waits for Google; leaves room for the local search in 4 s
MAX_RETRY_AFTER = 1.0
DEFAULT_RETRY_DELAY = 0.25
MIN_ATTEMPT_TIME = 0.5  # not worth retrying with less time than this left
MAX_BODY_BYTES = 1_000_000
MAX_RESULTS = 20
FAILURES_TO_OPEN = 5
OPEN_SECONDS = 60
CACHE_SECONDS = 24 * 60 * 60
MAX_QUERY_LENGTH = 200
POOL_WORKERS = 4
QUEUE_LIMIT = 8  # lookups that may wait for a worker; beyond that Google counts as unavailable
LOOKUP_SECONDS = 6.0  # a background search has its answer (results or unavailable) by then
FAILURE_MEMORY_SECONDS = 30  # a failed query is not asked again sooner (the page shows the notice)
READ_CHUNK = 65536
COVER_URL_MAX_LENGTH = 500  # Book.cover_url's max_length

VOLUME_INFO_FIELDS = (
    "title,subtitle,authors,publisher,publishedDate,description,industryIdentifiers,"
    "pageCount,categories,imageLinks(thumbnail,smallThumbnail),language"
)
SEARCH_FIELDS = f"items(id,volumeInfo({VOLUME_INFO_FIELDS}))"
VOLUME_FIELDS = f"id,volumeInfo({VOLUME_INFO_FIELDS})"
VOLUME_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COVER_HOSTS = ("books.google.com", "books.googleusercontent.com")

_FAILURES_KEY = "books:google:failures"
_OPEN_UNTIL_KEY = "books:google:open-until"

_session = requests.Session()
_session.headers["User-Agent"] = "Booky/1.0 (book club app)"
_pool = ThreadPoolExecutor(max_workers=POOL_WORKERS, thread_name_prefix="google-books")
# One slot per job running or queued: bounds both the threads and the queue in front of them.
_pool_slots = threading.BoundedSemaphore(POOL_WORKERS + QUEUE_LIMIT)
_jobs: set[Future] = set()  # background lookups not finished yet (tests wait for them)
_jobs_lock = threading.Lock()


def clock() -> float:
    """Wall-clock seconds for the circuit breaker; tests monkeypatch this instead of sleeping."""
    return time.time()


def sleep(seconds: float) -> None:
    time.sleep(seconds)


class Unavailable(Exception):
    """Google Books did not give a usable answer (down, slow, refused, rate-limited, garbage)."""


class NoSuchVolume(Exception):
    """Google answered, and has no volume with that id."""


@dataclass(frozen=True)
class Volume:
    volume_id: str
    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    page_count: int | None = None
    published_date: str = ""
    publisher: str = ""
    language: str = ""
    categories: tuple[str, ...] = field(default=())
    description: str = ""
    cover_url: str = ""
    isbn_10: str = ""
    isbn_13: str = ""

    @property
    def year(self) -> str:
        return self.published_date[:4]

    def to_cache(self) -> dict:
        return asdict(self)

    @classmethod
    def from_cache(cls, data: dict) -> "Volume":
        return cls(
            **{
                **data,
                "authors": tuple(data["authors"]),
                "categories": tuple(data["categories"]),
                # Entries cached before the cover rules tightened are cleaned on the way out.
                "cover_url": normalize_cover_url(data.get("cover_url")),
            }
        )


@dataclass(frozen=True)
class SearchOutcome:
    volumes: list[Volume]
    available: bool
    pending: bool = False  # a background lookup is asking Google; `peek()` later has the answer


UNAVAILABLE = SearchOutcome(volumes=[], available=False)
PENDING = SearchOutcome(volumes=[], available=True, pending=True)


# --- queries --------------------------------------------------------------------------------------


def normalize_query(text: str) -> str:
    """The cache key's form of a query: no NULs, single spaces, lower case, bounded length."""
    return " ".join((text or "").replace("\x00", " ").split()).lower()[:MAX_QUERY_LENGTH]


def build_query(text: str) -> str:
    """What Google is asked: `isbn:` for anything shaped like an ISBN; intitle:/inauthor: pass through."""
    text = normalize_query(text)
    if isbn_lib.looks_like_isbn(text):
        return f"isbn:{isbn_lib.normalize(text)}"
    return text


# --- circuit breaker ------------------------------------------------------------------------------


def circuit_is_open() -> bool:
    open_until = cache.get(_OPEN_UNTIL_KEY)
    return open_until is not None and clock() < open_until


def _record_success() -> None:
    cache.delete_many([_FAILURES_KEY, _OPEN_UNTIL_KEY])


def _record_failure() -> None:
    cache.add(_FAILURES_KEY, 0, timeout=CACHE_SECONDS)
    try:
        failures = cache.incr(_FAILURES_KEY)
    except ValueError:  # expired between add and incr
        cache.set(_FAILURES_KEY, 1, timeout=CACHE_SECONDS)
        failures = 1
    # Once open, every further failure (the trial call after the pause) re-opens it at once.
    if failures >= FAILURES_TO_OPEN:
        cache.set(_OPEN_UNTIL_KEY, clock() + OPEN_SECONDS, timeout=CACHE_SECONDS)


def is_configured() -> bool:
    return bool(settings.GOOGLE_BOOKS_ENABLED and settings.GOOGLE_BOOKS_URL)


# --- HTTP -----------------------------------------------------------------------------------------


def _retry_delay(response: requests.Response) -> float | None:
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


def _read_body(response: requests.Response, deadline: float) -> bytes:
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


def _get_json(url: str, params: dict, deadline: float) -> dict:
    """One GET with the timeouts, the deadline and at most one retry; the parsed JSON object.

    Runs in a pool thread: touches neither the database nor Django's cache or settings.
    """
    for attempt in (1, 2):
        remaining = deadline - time.monotonic()
        if remaining <= 0:  # queued behind other calls until its time was up
            raise Unavailable("no time left")
        timeout = (min(CONNECT_TIMEOUT, remaining), min(READ_TIMEOUT, remaining))
        try:
            with _session.get(
                url, params=params, timeout=timeout, stream=True, allow_redirects=False
            ) as response:
                if response.status_code == 429 or response.status_code >= 500:
                    delay = _retry_delay(response)
                    if (
                        attempt == 1
                        and delay is not None
                        and deadline - time.monotonic() - delay >= MIN_ATTEMPT_TIME
                    ):
                        sleep(delay)
                        continue
                    raise Unavailable(f"HTTP {response.status_code}")
                if response.status_code in (400, 404):
                    raise NoSuchVolume(response.status_code)
                if response.status_code != 200:
                    raise Unavailable(f"HTTP {response.status_code}")
                body = _read_body(response, deadline)
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


def _submit(job, *args) -> Future | None:
    """Run `job(*args)` in the pool, or None at once when every worker and queue place is taken."""
    if not _pool_slots.acquire(blocking=False):
        return None
    try:
        future = _pool.submit(job, *args)
    except RuntimeError:  # the interpreter is shutting down
        _pool_slots.release()
        return None
    with _jobs_lock:
        _jobs.add(future)

    def done(_):
        with _jobs_lock:
            _jobs.discard(future)
        _pool_slots.release()

    future.add_done_callback(done)
    return future


def _in_pool(url: str, params: dict) -> dict:
    """_get_json in a pool thread, waited for at most TOTAL_DEADLINE; Unavailable when the pool is full."""
    started = time.monotonic()
    future = _submit(_get_json, url, params, started + TOTAL_DEADLINE)
    if future is None:
        raise Unavailable("all workers busy")
    try:
        return future.result(timeout=max(0.0, started + TOTAL_DEADLINE - time.monotonic()))
    except FutureTimeout as error:
        raise Unavailable("no answer within the deadline") from error


def _call(url: str, params: dict) -> dict:
    """One remote call through the pool, behind the circuit breaker."""
    if circuit_is_open():
        raise Unavailable("circuit open")
    if settings.GOOGLE_BOOKS_API_KEY:
        params = {**params, "key": settings.GOOGLE_BOOKS_API_KEY}
    try:
        data = _in_pool(url, params)
    except Unavailable as error:
        logger.warning("Google Books unavailable: %s", error)
        _record_failure()
        raise
    except NoSuchVolume:
        _record_success()  # a clear "no" is a healthy answer
        raise
    _record_success()
    return data


# --- parsing --------------------------------------------------------------------------------------


def _text(value, limit: int) -> str:
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def _texts(value, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(text for item in value[:20] if (text := _text(item, limit)))


_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\\<>\"'`]")
_url_validator = URLValidator(schemes=["https"])


def normalize_cover_url(value) -> str:
    """A clean https URL on Google's image hosts (the only ones the CSP allows), or empty.

    Refused: other hosts (even look-alikes), a port or user part, whitespace or control characters
    anywhere, and anything longer than Book.cover_url holds once turned into https.
    """
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if not value or len(value) > 2 * COVER_URL_MAX_LENGTH or _URL_UNSAFE.search(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or parts.netloc.lower() not in COVER_HOSTS:
        return ""  # netloc, not hostname: "host:443" and "user@host" are refused too
    query = "&".join(item for item in parts.query.split("&") if item and item != "edge=curl")
    url = urlunsplit(("https", parts.netloc.lower(), parts.path or "/", query, ""))
    if len(url) > COVER_URL_MAX_LENGTH:
        return ""
    try:
        _url_validator(url)
    except ValidationError:
        return ""
    return url


def parse_volume(item) -> Volume | None:
    """A Volume from one `items[]` entry, or None when it lacks an id or a title."""
    if not isinstance(item, dict):
        return None
    volume_id = item.get("id")
    info = item.get("volumeInfo")
    if not isinstance(volume_id, str) or not VOLUME_ID.match(volume_id) or not isinstance(info, dict):
        return None
    title = _text(info.get("title"), 300)
    if not title:
        return None
    isbn_10 = isbn_13 = ""
    identifiers = info.get("industryIdentifiers")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if not isinstance(identifier, dict):
            continue
        number = isbn_lib.normalize(_text(identifier.get("identifier"), 20))
        if identifier.get("type") == "ISBN_13" and isbn_lib.is_valid_isbn13(number):
            isbn_13 = number
        elif identifier.get("type") == "ISBN_10" and isbn_lib.is_valid_isbn10(number):
            isbn_10 = number
    if isbn_10 and not isbn_13:
        isbn_13 = isbn_lib.to_isbn13(isbn_10)
    pages = info.get("pageCount")
    page_count = (
        pages if isinstance(pages, int) and not isinstance(pages, bool) and 0 < pages <= 20_000 else None
    )
    images = info.get("imageLinks")
    images = images if isinstance(images, dict) else {}
    return Volume(
        volume_id=volume_id,
        title=title,
        subtitle=_text(info.get("subtitle"), 300),
        authors=_texts(info.get("authors"), 200),
        page_count=page_count,
        published_date=coerce_published_date(info.get("publishedDate")),
        publisher=_text(info.get("publisher"), 200),
        language=_text(info.get("language"), 16),
        categories=_texts(info.get("categories"), 100),
        description=_text(info.get("description"), 20_000),
        cover_url=normalize_cover_url(images.get("thumbnail") or images.get("smallThumbnail")),
        isbn_10=isbn_10,
        isbn_13=isbn_13,
    )


def parse_search(data: dict) -> list[Volume]:
    items = data.get("items")
    if not isinstance(items, list):
        return []
    volumes, seen = [], set()
    for item in items[:MAX_RESULTS]:
        volume = parse_volume(item)
        if volume and volume.volume_id not in seen:
            seen.add(volume.volume_id)
            volumes.append(volume)
    return volumes


# --- public API -----------------------------------------------------------------------------------


def _query_cache_key(query: str) -> str:
    return "books:google:q:" + hashlib.sha256(query.encode()).hexdigest()


def _volume_cache_key(volume_id: str) -> str:
    return f"books:google:v:{volume_id}"


def _pending_key(query: str) -> str:
    return "books:google:pending:" + hashlib.sha256(query.encode()).hexdigest()


def _failed_key(query: str) -> str:
    return "books:google:failed:" + hashlib.sha256(query.encode()).hexdigest()


def _known(query: str) -> SearchOutcome | None:
    """The cached volumes, or UNAVAILABLE for a query that failed moments ago; None when neither."""
    cached = cache.get(_query_cache_key(query))
    if cached is not None:
        return SearchOutcome(volumes=[Volume.from_cache(data) for data in cached], available=True)
    failed_at = cache.get(_failed_key(query))
    if failed_at is not None and clock() < failed_at + FAILURE_MEMORY_SECONDS:
        return UNAVAILABLE
    return None


def _pending(answer_by) -> SearchOutcome:
    """PENDING while a lookup still has time; a lookup stuck past its time counts as unavailable."""
    return UNAVAILABLE if answer_by is not None and clock() > answer_by else PENDING


def _store(query: str, volumes: list[Volume]) -> None:
    cache.set(_query_cache_key(query), [volume.to_cache() for volume in volumes], timeout=CACHE_SECONDS)
    cache.set_many({_volume_cache_key(v.volume_id): v.to_cache() for v in volumes}, timeout=CACHE_SECONDS)


def _remember_failure(query: str) -> None:
    cache.set(_failed_key(query), clock(), timeout=FAILURE_MEMORY_SECONDS)


def _search_job(query: str, url: str, params: dict, answer_by: float) -> None:
    """A background lookup: asks Google once (with the one retry) and leaves the outcome in the cache.

    Always ends with results or a remembered failure, so whoever polls gets an answer.
    """
    try:
        if circuit_is_open():  # opened while this job waited: not a new failure, the breaker knows
            _remember_failure(query)
            return
        remaining = min(TOTAL_DEADLINE, answer_by - clock())
        if remaining < MIN_ATTEMPT_TIME:
            raise Unavailable("waited too long for a worker")
        volumes = parse_search(_get_json(url, params, time.monotonic() + remaining))
    except NoSuchVolume:  # Google refused the query itself: a healthy "no"
        _record_success()
        _remember_failure(query)
    except Exception as error:  # Unavailable, or a bug: either way the poller must hear "unavailable"
        if isinstance(error, Unavailable):
            logger.warning("Google Books unavailable: %s", error)
        else:
            logger.exception("Google Books lookup failed")
        _record_failure()
        _remember_failure(query)
    else:
        _record_success()
        _store(query, volumes)
    finally:
        cache.delete(_pending_key(query))


def search(text: str) -> SearchOutcome:
    """Up to 20 volumes for `text` if known; never waits on the network.

    Otherwise starts a background lookup (unless one is running for this query, in any process that
    shares the cache) and answers PENDING; `available` is False when Google cannot be asked now.
    """
    query = build_query(text)
    if not query:
        return SearchOutcome(volumes=[], available=True)
    known = _known(query)
    if known is not None:
        return known
    if not is_configured() or circuit_is_open():
        return UNAVAILABLE
    answer_by = clock() + LOOKUP_SECONDS
    if not cache.add(_pending_key(query), answer_by, timeout=int(LOOKUP_SECONDS) + 5):
        return _pending(cache.get(_pending_key(query)))  # someone is already asking
    params = {"q": query, "maxResults": MAX_RESULTS, "printType": "books", "fields": SEARCH_FIELDS}
    if settings.GOOGLE_BOOKS_API_KEY:
        params["key"] = settings.GOOGLE_BOOKS_API_KEY
    if _submit(_search_job, query, settings.GOOGLE_BOOKS_URL, params, answer_by) is None:
        cache.delete(_pending_key(query))
        logger.warning("Google Books unavailable: all workers busy")
        _record_failure()
        return UNAVAILABLE
    return PENDING


def peek(text: str) -> SearchOutcome:
    """What is known about `text` now, from the cache only: it never starts a lookup.

    PENDING also when nothing is known (the lookup may run in a process that does not share this
    cache): the poller decides when to stop waiting.
    """
    query = build_query(text)
    if not query:
        return SearchOutcome(volumes=[], available=True)
    known = _known(query)
    if known is not None:
        return known
    if not is_configured():
        return UNAVAILABLE
    answer_by = cache.get(_pending_key(query))
    if answer_by is None and circuit_is_open():
        return UNAVAILABLE  # nobody is asking, and nobody will for a while
    return _pending(answer_by)


def cached_volume(volume_id: str) -> Volume | None:
    """The volume if a recent search or import left it in the cache; never asks Google."""
    if not isinstance(volume_id, str) or not VOLUME_ID.match(volume_id):
        return None
    cached = cache.get(_volume_cache_key(volume_id))
    return Volume.from_cache(cached) if cached is not None else None


def fetch_volume(volume_id: str) -> Volume | None:
    """The volume with this id (from a recent search's cache when possible); None if Google has none.

    Raises Unavailable when Google cannot be asked or did not answer usefully.
    """
    if not isinstance(volume_id, str) or not VOLUME_ID.match(volume_id):
        return None
    if (cached := cached_volume(volume_id)) is not None:
        return cached
    if not is_configured():
        raise Unavailable("not configured")
    url = settings.GOOGLE_BOOKS_URL.rstrip("/") + "/" + volume_id
    try:
        data = _call(url, {"fields": VOLUME_FIELDS})
    except NoSuchVolume:
        return None
    volume = parse_volume(data)
    if volume is not None:
        cache.set(_volume_cache_key(volume_id), volume.to_cache(), timeout=CACHE_SECONDS)
    return volume
