"""Google Books client: volumes for a search, and one volume by id for an import.

Built on books/remote.py, which keeps the rules every book source follows: no web request ever waits
on Google (`search()` answers from the cache or starts a background lookup in a small bounded pool
and answers "pending"; `peek()` reads the cache only), each lookup has its answer by LOOKUP_SECONDS,
each exchange keeps connect/read timeouts of 2 s / 3 s and TOTAL_DEADLINE with one retry on 429/5xx
(only when Retry-After asks for at most 1 s), a circuit breaker skips Google for 60 s after five
failures in a row, and answers are cached for 24 h, failures for FAILURE_MEMORY_SECONDS, in Django's
cache so every worker process shares them.

Importing one volume (`fetch_volume`, a POST) still waits for its answer, at most TOTAL_DEADLINE, and
is usually served by the cache a search filled.

Callers get `SearchOutcome(volumes, available, pending)`; they never see an exception from here.
"""

import re
import sys
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from books import isbn as isbn_lib
from books import remote
from books.dates import coerce_published_date
from books.remote import DEFAULT_RETRY_DELAY as DEFAULT_RETRY_DELAY
from books.remote import NotFound as NoSuchVolume
from books.remote import Unavailable as Unavailable
from books.remote import clean_text as _text
from books.remote import clean_texts as _texts

TOTAL_DEADLINE = 3.2  # the most a page waits for Google; leaves room for the local search in 4 s
MAX_RESULTS = 20
MAX_QUERY_LENGTH = 200
POOL_WORKERS = 4
QUEUE_LIMIT = 8  # lookups that may wait for a worker; beyond that Google counts as unavailable
LOOKUP_SECONDS = 6.0  # a background search has its answer (results or unavailable) by then
FAILURE_MEMORY_SECONDS = 30  # a failed query is not asked again sooner (the page shows the notice)
COVER_URL_MAX_LENGTH = 500  # Book.cover_url's max_length

VOLUME_INFO_FIELDS = (
    "title,subtitle,authors,publisher,publishedDate,description,industryIdentifiers,"
    "pageCount,categories,imageLinks(thumbnail,smallThumbnail),language"
)
SEARCH_FIELDS = f"items(id,volumeInfo({VOLUME_INFO_FIELDS}))"
VOLUME_FIELDS = f"id,volumeInfo({VOLUME_INFO_FIELDS})"
VOLUME_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COVER_HOSTS = ("books.google.com", "books.googleusercontent.com")


def clock() -> float:
    """Wall-clock seconds for the circuit breaker; tests monkeypatch this instead of sleeping."""
    return time.time()


def sleep(seconds: float) -> None:
    time.sleep(seconds)


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

    @property
    def cache_id(self) -> str:
        return self.volume_id

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


def is_configured() -> bool:
    return bool(settings.GOOGLE_BOOKS_ENABLED and settings.GOOGLE_BOOKS_URL)


_remote = remote.Remote(
    name="google",
    label="Google Books",
    module=sys.modules[__name__],
    item_type=Volume,
    outcome_type=SearchOutcome,
    is_configured=is_configured,
    workers=POOL_WORKERS,
    queue_limit=QUEUE_LIMIT,
)
# The pool's bookkeeping, for tests that fill it or wait for it.
_pool_slots = _remote.slots
_jobs = _remote.jobs
_jobs_lock = _remote.jobs_lock


# --- queries --------------------------------------------------------------------------------------


def build_query(text: str) -> str:
    """What Google is asked: `isbn:` for anything shaped like an ISBN; intitle:/inauthor: pass through."""
    text = remote.normalize_query(text, MAX_QUERY_LENGTH)
    if isbn_lib.looks_like_isbn(text):
        return f"isbn:{isbn_lib.normalize(text)}"
    return text


def circuit_is_open() -> bool:
    return _remote.circuit_is_open()


def _get_json(url: str, params: dict, deadline: float) -> dict:
    """One GET with the timeouts, the deadline and at most one retry (runs in a pool thread)."""
    return _remote.get_json(url, params, deadline)


def _with_key(params: dict) -> dict:
    if settings.GOOGLE_BOOKS_API_KEY:
        return {**params, "key": settings.GOOGLE_BOOKS_API_KEY}
    return params


# --- parsing --------------------------------------------------------------------------------------


_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\\<>\"'`]")
_url_validator = URLValidator(schemes=["https"])


def normalize_cover_url(value) -> str:
    """A clean https URL on Google's image hosts (the only ones the CSP allows for it), or empty.

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
    images = info.get("imageLinks")
    images = images if isinstance(images, dict) else {}
    return Volume(
        volume_id=volume_id,
        title=title,
        subtitle=_text(info.get("subtitle"), 300),
        authors=_texts(info.get("authors"), 200),
        page_count=remote.page_count(info.get("pageCount")),
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


def search(text: str) -> SearchOutcome:
    """Up to 20 volumes for `text` if known; never waits on the network.

    Otherwise starts a background lookup (unless one is running for this query, in any process that
    shares the cache) and answers PENDING; `available` is False when Google cannot be asked now.
    """
    query = build_query(text)
    url = settings.GOOGLE_BOOKS_URL
    params = _with_key({"q": query, "maxResults": MAX_RESULTS, "printType": "books", "fields": SEARCH_FIELDS})
    return _remote.search(query, lambda deadline: parse_search(_get_json(url, params, deadline)))


def peek(text: str) -> SearchOutcome:
    """What is known about `text` now, from the cache only: it never starts a lookup."""
    return _remote.peek(build_query(text))


def cached_volume(volume_id: str) -> Volume | None:
    """The volume if a recent search or import left it in the cache; never asks Google."""
    if not isinstance(volume_id, str) or not VOLUME_ID.match(volume_id):
        return None
    return _remote.cached_item(volume_id)


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
    params = _with_key({"fields": VOLUME_FIELDS})
    try:
        data = _remote.call(lambda deadline: _get_json(url, params, deadline))
    except NoSuchVolume:
        return None
    volume = parse_volume(data)
    if volume is not None:
        _remote.store_item(volume)
    return volume


def find_isbn(isbn_13: str) -> Volume | None:
    """The volume with this ISBN-13, waiting for Google's answer (at most TOTAL_DEADLINE): for work in
    the background (an import), never for a page. None when Google has none; raises Unavailable."""
    if not isbn_lib.is_valid_isbn13(isbn_13):
        return None
    if not is_configured():
        raise Unavailable("not configured")
    url = settings.GOOGLE_BOOKS_URL
    params = _with_key(
        {"q": f"isbn:{isbn_13}", "maxResults": 5, "printType": "books", "fields": SEARCH_FIELDS}
    )
    try:
        volumes = _remote.call(lambda deadline: parse_search(_get_json(url, params, deadline)))
    except NoSuchVolume:
        return None
    volume = next((v for v in volumes if v.isbn_13 == isbn_13), None)
    if volume is not None:
        _remote.store_item(volume)
    return volume
