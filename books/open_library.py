"""Open Library client: works for a search, one work by key for an import, and an edition's page count.

Built on books/remote.py like books/google_books.py, with the same guarantees: no web request waits
on Open Library (`search()` answers from the cache or starts a background lookup and answers
"pending"; `peek()` reads the cache only), the same timeouts, deadline, single retry, body cap,
circuit breaker and 24 h cache. Open Library asks its API users to identify themselves and to keep to
about one request a second: every request carries a User-Agent naming BOOKY_CONTACT_EMAIL, and at
most one request a second leaves each process (`clock()`/`sleep()` are patchable for tests).

Callers get `SearchOutcome(docs, available, pending)`; they never see an exception from here.
"""

import re
import sys
import time
from dataclasses import asdict, dataclass

from django.conf import settings

from books import isbn as isbn_lib
from books import remote
from books.remote import NotFound, Unavailable
from books.remote import clean_text as _text
from books.remote import clean_texts as _texts

TOTAL_DEADLINE = 3.2  # as for Google: the most a waiting import gives one request
MAX_RESULTS = 20
MAX_QUERY_LENGTH = 200
MAX_ISBNS = 40  # a popular work lists hundreds of editions; enough of them to recognise a book we have
POOL_WORKERS = 2  # one request a second: more workers would only queue behind the pacing
QUEUE_LIMIT = 6
LOOKUP_SECONDS = 6.0
FAILURE_MEMORY_SECONDS = 30
MIN_REQUEST_INTERVAL = 1.0
EDITIONS_LIMIT = 20

SEARCH_FIELDS = (
    "key,title,subtitle,author_name,first_publish_year,isbn,cover_i,number_of_pages_median,edition_key"
)
WORK_KEY = re.compile(r"^OL[1-9][0-9]{0,9}W$")
COVER_HOST = "covers.openlibrary.org"
COVER_URL = "https://covers.openlibrary.org/b/id/{cover_id}-M.jpg"
_COVER_URL = re.compile(r"^https://covers\.openlibrary\.org/b/id/[1-9][0-9]{0,11}-M\.jpg$")
_OPERATORS = {"intitle:": "title:", "inauthor:": "author:", "inpublisher:": "publisher:"}


def clock() -> float:
    """Wall-clock seconds for the breaker and the pacing; tests monkeypatch this instead of sleeping."""
    return time.time()


def sleep(seconds: float) -> None:
    time.sleep(seconds)


@dataclass(frozen=True)
class Doc:
    """One Open Library work as its search returns it."""

    key: str  # the work key without "/works/": "OL45883W"
    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    first_publish_year: int | None = None
    page_count: int | None = None
    cover_url: str = ""
    isbns: tuple[str, ...] = ()  # every edition's ISBN we kept, as ISBN-13

    @property
    def year(self) -> str:
        return f"{self.first_publish_year:04d}" if self.first_publish_year else ""

    @property
    def isbn_13(self) -> str:
        return self.isbns[0] if self.isbns else ""

    @property
    def isbn_10(self) -> str:
        return isbn_lib.to_isbn10(self.isbn_13) if self.isbn_13 else ""

    @property
    def cache_id(self) -> str:
        return self.key

    def to_cache(self) -> dict:
        return asdict(self)

    @classmethod
    def from_cache(cls, data: dict) -> "Doc":
        return cls(
            **{
                **data,
                "authors": tuple(data["authors"]),
                "isbns": tuple(data["isbns"]),
                "cover_url": normalize_cover_url(data.get("cover_url")),
            }
        )


@dataclass(frozen=True)
class SearchOutcome:
    docs: list[Doc]
    available: bool
    pending: bool = False  # a background lookup is asking Open Library; `peek()` later has the answer


UNAVAILABLE = SearchOutcome(docs=[], available=False)
PENDING = SearchOutcome(docs=[], available=True, pending=True)


def is_configured() -> bool:
    return bool(settings.OPEN_LIBRARY_ENABLED and settings.OPEN_LIBRARY_URL)


_remote = remote.Remote(
    name="openlibrary",
    label="Open Library",
    module=sys.modules[__name__],
    item_type=Doc,
    outcome_type=SearchOutcome,
    is_configured=is_configured,
    workers=POOL_WORKERS,
    queue_limit=QUEUE_LIMIT,
    min_interval=MIN_REQUEST_INTERVAL,
)
_jobs = _remote.jobs
_jobs_lock = _remote.jobs_lock


def user_agent() -> str:
    return f"Booky/1.0 (+mailto:{settings.BOOKY_CONTACT_EMAIL})"


def circuit_is_open() -> bool:
    return _remote.circuit_is_open()


def forget_last_request() -> None:
    """Start the one-a-second pacing afresh (tests whose clocks differ)."""
    _remote.forget_last_request()


def _get_json(request: tuple[str, dict], params: dict, deadline: float) -> dict:
    """One GET of `request` (its URL and headers, from `_request`) in a pool thread: no settings here."""
    url, headers = request
    return _remote.get_json(url, params, deadline, headers=headers)


def _request(path: str) -> tuple[str, dict]:
    """The URL for `path` on the configured server and the headers to send (read in the request thread)."""
    return settings.OPEN_LIBRARY_URL.rstrip("/") + path, {"User-Agent": user_agent()}


# --- queries --------------------------------------------------------------------------------------


def build_query(text: str) -> str:
    """What Open Library is asked: `isbn:` for an ISBN; Google's intitle:/inauthor: become title:/author:."""
    text = remote.normalize_query(text, MAX_QUERY_LENGTH)
    if isbn_lib.looks_like_isbn(text):
        return f"isbn:{isbn_lib.normalize(text)}"
    for google, ours in _OPERATORS.items():
        text = text.replace(google, ours)
    return text


# --- parsing --------------------------------------------------------------------------------------


def normalize_cover_url(value) -> str:
    """An Open Library cover URL of exactly the form this client builds, or empty."""
    return value if isinstance(value, str) and _COVER_URL.fullmatch(value) else ""


def cover_url(cover_id) -> str:
    if isinstance(cover_id, int) and not isinstance(cover_id, bool) and 0 < cover_id < 10**12:
        return COVER_URL.format(cover_id=cover_id)
    return ""


def _isbns(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    found = []
    for raw in value:
        number = isbn_lib.normalize(_text(raw, 20))
        if isbn_lib.is_valid_isbn10(number):
            number = isbn_lib.to_isbn13(number)
        elif not isbn_lib.is_valid_isbn13(number):
            continue
        if number not in found:
            found.append(number)
            if len(found) == MAX_ISBNS:
                break
    return tuple(found)


def parse_doc(item) -> Doc | None:
    """A Doc from one `docs[]` entry, or None when it lacks a work key or a title."""
    if not isinstance(item, dict):
        return None
    key = item.get("key")
    key = key.removeprefix("/works/") if isinstance(key, str) else ""
    title = _text(item.get("title"), 300)
    if not WORK_KEY.match(key) or not title:
        return None
    year = item.get("first_publish_year")
    return Doc(
        key=key,
        title=title,
        subtitle=_text(item.get("subtitle"), 300),
        authors=_texts(item.get("author_name"), 200),
        first_publish_year=year
        if isinstance(year, int) and not isinstance(year, bool) and 0 < year <= 9999
        else None,
        page_count=remote.page_count(item.get("number_of_pages_median")),
        cover_url=cover_url(item.get("cover_i")),
        isbns=_isbns(item.get("isbn")),
    )


def parse_search(data: dict) -> list[Doc]:
    items = data.get("docs")
    if not isinstance(items, list):
        return []
    docs, seen = [], set()
    for item in items[:MAX_RESULTS]:
        doc = parse_doc(item)
        if doc and doc.key not in seen:
            seen.add(doc.key)
            docs.append(doc)
    return docs


def parse_page_count(data: dict) -> int | None:
    """The first edition's page count that a Book can hold, from editions.json (or one edition's JSON)."""
    entries = data.get("entries")
    for entry in entries if isinstance(entries, list) else [data]:
        if isinstance(entry, dict) and (pages := remote.page_count(entry.get("number_of_pages"))):
            return pages
    return None


# --- public API -----------------------------------------------------------------------------------


def _search_params(query: str, limit: int = MAX_RESULTS) -> dict:
    return {"q": query, "fields": SEARCH_FIELDS, "limit": limit}


def search(text: str) -> SearchOutcome:
    """Up to 20 works for `text` if known; never waits on the network (see books/remote.py)."""
    query = build_query(text)
    request, params = _request("/search.json"), _search_params(query)
    return _remote.search(query, lambda deadline: parse_search(_get_json(request, params, deadline)))


def peek(text: str) -> SearchOutcome:
    """What is known about `text` now, from the cache only: it never starts a lookup."""
    return _remote.peek(build_query(text))


def cached_doc(key: str) -> Doc | None:
    """The work if a recent search or import left it in the cache; never asks Open Library."""
    if not isinstance(key, str) or not WORK_KEY.match(key):
        return None
    return _remote.cached_item(key)


def fetch_doc(key: str) -> Doc | None:
    """The work with this key (from a recent search's cache when possible); None if there is none.

    Raises Unavailable when Open Library cannot be asked or did not answer usefully.
    """
    if not isinstance(key, str) or not WORK_KEY.match(key):
        return None
    if (cached := cached_doc(key)) is not None:
        return cached
    if not is_configured():
        raise Unavailable("not configured")
    request, params = _request("/search.json"), _search_params(f"key:/works/{key}", limit=1)
    try:
        docs = _remote.call(lambda deadline: parse_search(_get_json(request, params, deadline)))
    except NotFound:
        return None
    doc = next((doc for doc in docs if doc.key == key), None)
    if doc is not None:
        _remote.store_item(doc)
    return doc


def fetch_page_count(doc: Doc) -> int | None:
    """The page count of one of the work's editions, asked once (waits at most TOTAL_DEADLINE); None
    when Open Library has none or cannot answer."""
    if not is_configured() or not WORK_KEY.match(doc.key):
        return None
    request = _request(f"/works/{doc.key}/editions.json")
    try:
        return _remote.call(
            lambda deadline: parse_page_count(_get_json(request, {"limit": EDITIONS_LIMIT}, deadline))
        )
    except (Unavailable, NotFound):
        return None


def find_isbn(isbn_13: str) -> Doc | None:
    """The work with an edition of this ISBN-13, waiting for the answer (at most TOTAL_DEADLINE): for
    work in the background (an import), never for a page. None when there is none; raises Unavailable."""
    if not isbn_lib.is_valid_isbn13(isbn_13):
        return None
    if not is_configured():
        raise Unavailable("not configured")
    request, params = _request("/search.json"), _search_params(f"isbn:{isbn_13}", limit=5)
    try:
        docs = _remote.call(lambda deadline: parse_search(_get_json(request, params, deadline)))
    except NotFound:
        return None
    doc = next((doc for doc in docs if isbn_13 in doc.isbns), None)
    if doc is not None:
        _remote.store_item(doc)
    return doc
