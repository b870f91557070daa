"""Fixtures for books: a fresh cache per test, and a fake Google Books server on a real socket."""

import json
import socket
import threading
import time
from concurrent.futures import wait
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

# A volume we do not have, and one that is the catalog's Pride and Prejudice (same ISBN-13).
DUNE = {
    "id": "gDune01",
    "volumeInfo": {
        "title": "Dune",
        "authors": ["Frank Herbert"],
        "publisher": "Ace",
        "publishedDate": "1990-09-01",
        "pageCount": 535,
        "language": "en",
        "categories": ["Fiction"],
        "description": '<p>Spice <script>alert("x")</script><b onclick="steal()">must</b> flow.</p>',
        "industryIdentifiers": [
            {"type": "ISBN_10", "identifier": "0441172717"},
            {"type": "ISBN_13", "identifier": "9780441172719"},
        ],
        "imageLinks": {
            "thumbnail": "http://books.google.com/books/content?id=gDune01&printsec=frontcover&img=1&zoom=1&edge=curl"
        },
    },
}
PRIDE = {
    "id": "gPride01",
    "volumeInfo": {
        "title": "Pride and Prejudice",
        "authors": ["Jane Austen"],
        "industryIdentifiers": [{"type": "ISBN_13", "identifier": "9780141439518"}],
    },
}


def odd_volume(volume_id: str, **info) -> dict:
    return {"id": volume_id, "volumeInfo": {"title": f"Odd {volume_id}", "authors": ["Ann Odd"], **info}}


# Optional fields Booky cannot store as sent: the import keeps the book and drops these.
LONG_HTTP_COVER = "http://books.google.com/books/content?id=" + "x" * (500 - 41)
ODD_VOLUMES = [
    odd_volume("gSpaceCover", imageLinks={"thumbnail": "http://books.google.com/books/content?id=a b"}),
    odd_volume("gLongCover", imageLinks={"thumbnail": LONG_HTTP_COVER}),
    odd_volume("gPortCover", imageLinks={"thumbnail": "https://books.google.com:8443/books/content?id=1"}),
    odd_volume("gUserCover", imageLinks={"thumbnail": "https://me@books.google.com/books/content?id=1"}),
    odd_volume("gBadDate", publishedDate="1999-02-31", pageCount=999_999, language="x" * 40),
]
VOLUMES = {volume["id"]: volume for volume in (DUNE, PRIDE, *ODD_VOLUMES)}
MISSING_FIELDS = {
    "items": [
        {"id": "noInfo"},
        {"volumeInfo": {"title": "No id"}},
        {"id": "badTypes", "volumeInfo": {"title": 42, "authors": "Someone"}},
        {
            "id": "oddOne",
            "volumeInfo": {
                "title": "Odd Dune Types",
                "authors": ["A", None, 7],
                "pageCount": "many",
                "publishedDate": 1999,
                "industryIdentifiers": "none",
                "imageLinks": ["x"],
                "categories": {"a": 1},
            },
        },
        "not even an object",
    ]
}
SCENARIOS = [
    "normal",
    "slow",
    "rate_limited",
    "unavailable",
    "malformed",
    "missing_fields",
    "huge",
    "refused",
    "flaky",
    "drip",
    "drip_headers",
]
FAILING_SCENARIOS = [
    "slow",
    "rate_limited",
    "unavailable",
    "malformed",
    "huge",
    "refused",
    "drip",
    "drip_headers",
]
DRIP_INTERVAL = 0.5  # seconds between bytes: each one arrives well within the 3 s read timeout


class FakeServer:
    """A book source on a real socket, misbehaving per `scenario`; subclasses answer the normal requests."""

    base_path = ""

    def __init__(self):
        self.scenario = "normal"
        self.requests: list[dict] = []
        self.stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                fake.requests.append(
                    {"path": parts.path, "params": parse_qs(parts.query), "headers": dict(self.headers)}
                )
                fake.handle(self, parts.path, len(fake.requests))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{self.base_path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def count(self) -> int:
        return len(self.requests)

    def queries(self) -> list[str]:
        return [request["params"].get("q", [""])[0] for request in self.requests]

    def normal_body(self) -> bytes:
        raise NotImplementedError

    def missing_fields_body(self) -> bytes:
        raise NotImplementedError

    def answer(self, handler, path: str) -> None:
        raise NotImplementedError

    def handle(self, handler, path: str, number: int) -> None:
        scenario = self.scenario
        if scenario == "hang":  # accepts, reads the request, never answers (until the test ends)
            self.stopping.wait()
            return None
        if scenario == "slow":
            self.stopping.wait(6)  # far beyond the 3 s read timeout
            scenario = "normal"
        if scenario == "drip":
            return self.drip_body(handler)
        if scenario == "drip_headers":
            return self.drip_headers(handler)
        if scenario == "flaky":
            scenario = "unavailable_now" if number == 1 else "normal"
        if scenario == "briefly_limited":
            scenario = "rate_limited_now" if number == 1 else "normal"
        if scenario == "rate_limited":
            return self.send(handler, 429, b'{"error": "slow down"}', {"Retry-After": "3600"})
        if scenario == "rate_limited_now":
            return self.send(handler, 429, b'{"error": "slow down"}', {"Retry-After": "1"})
        if scenario == "unavailable":
            return self.send(handler, 503, b"Service Unavailable")
        if scenario == "unavailable_now":
            return self.send(handler, 503, b"Service Unavailable", {"Retry-After": "0"})
        if scenario == "malformed":
            return self.send(handler, 200, b'{"items": [ {"id": "x", "volumeInfo": ')
        if scenario == "not_json":
            return self.send(handler, 200, b"<html><body>Search is down</body></html>")
        if scenario == "wrong_shape":
            return self.send(handler, 200, b'[{"docs": [], "items": []}]')
        if scenario == "huge":
            return self.send(
                handler, 200, self.normal_body()[:-1] + b', "padding": "' + b"x" * 2_000_000 + b'"}'
            )
        if scenario == "missing_fields":
            return self.send(handler, 200, self.missing_fields_body())
        return self.answer(handler, path)

    def send(self, handler, status: int, body: bytes, headers: dict | None = None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as it should

    def drip_body(self, handler) -> None:
        """Headers at once, then the body one byte every half second (until the client hangs up)."""
        body = self.normal_body()
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.flush()
            for index in range(len(body)):
                if self.stopping.wait(DRIP_INTERVAL):
                    return
                handler.wfile.write(body[index : index + 1])
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def drip_headers(self, handler) -> None:
        """The status line and headers themselves, one byte every half second."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"x" * 200 + b"\r\n"
        try:
            for index in range(len(head)):
                if self.stopping.wait(DRIP_INTERVAL):
                    return
                handler.wfile.write(head[index : index + 1])
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


class FakeGoogleBooks(FakeServer):
    """Serves /books/v1/volumes (search) and /books/v1/volumes/<id>, misbehaving per `scenario`."""

    base_path = "/books/v1/volumes"

    def normal_body(self) -> bytes:
        return json.dumps({"kind": "books#volumes", "items": [DUNE, PRIDE]}).encode()

    def missing_fields_body(self) -> bytes:
        return json.dumps(MISSING_FIELDS).encode()

    def answer(self, handler, path: str) -> None:
        if path.rstrip("/").endswith("/volumes"):
            return self.send(handler, 200, self.normal_body())
        volume = VOLUMES.get(path.rsplit("/", 1)[-1])
        if volume is None:
            return self.send(handler, 404, b'{"error": {"code": 404}}')
        return self.send(handler, 200, json.dumps(volume).encode())


# Open Library's works for any search: Dune shares an ISBN with Google's Dune, Pride with the catalog's
# (as an ISBN-10), Frankenstein is the catalog's by ISBN (not among "pride"'s local matches), the Left
# Hand of Darkness is Open Library's alone, and the Hobbit has no page count (the import asks editions).
OL_DUNE = {
    "key": "/works/OL893415W",
    "title": "Dune",
    "author_name": ["Frank Herbert"],
    "first_publish_year": 1965,
    "isbn": ["9780593099322", "0441172717", "not-an-isbn"],
    "cover_i": 11481354,
    "number_of_pages_median": 658,
    "edition_key": ["OL26242482M"],
}
OL_PRIDE = {
    "key": "/works/OL66554W",
    "title": "Pride and Prejudice",
    "author_name": ["Jane Austen"],
    "first_publish_year": 1813,
    "isbn": ["9781503290563", "0141439513"],
    "cover_i": 14348537,
    "number_of_pages_median": 279,
}
OL_FRANKENSTEIN = {
    "key": "/works/OL450063W",
    "title": "Frankenstein",
    "author_name": ["Mary Shelley"],
    "isbn": ["9780141439471"],
}
OL_LEFT_HAND = {
    "key": "/works/OL59863W",
    "title": "The Left Hand of Darkness",
    "author_name": ["Ursula K. Le Guin"],
    "first_publish_year": 1969,
    "isbn": ["9780441478125", "0441478123"],
    "cover_i": 8231856,
    "number_of_pages_median": 304,
}
OL_HOBBIT = {
    "key": "/works/OL27482W",
    "title": "The Hobbit",
    "subtitle": "There and Back Again",
    "author_name": ["J.R.R. Tolkien"],
    "first_publish_year": 1937,
    "isbn": ["9780547928227"],
    "cover_i": -5,
}
OL_DOCS = [OL_DUNE, OL_PRIDE, OL_FRANKENSTEIN, OL_LEFT_HAND, OL_HOBBIT]
OL_EDITIONS = {
    "OL27482W": {"entries": [{"key": "/books/OL1M", "number_of_pages": "many"}, {"number_of_pages": 310}]},
}
OL_MISSING_FIELDS = {
    "numFound": 5,
    "docs": [
        {"title": "No key"},
        {"key": "/works/OL1W"},
        {"key": "/authors/OL2A", "title": "An author, not a work"},
        {
            "key": "/works/OL3W",
            "title": "Odd Types",
            "author_name": "Someone",
            "first_publish_year": "1999",
            "isbn": "9780441172719",
            "cover_i": True,
            "number_of_pages_median": 10**9,
        },
        "not even an object",
    ],
}


class FakeOpenLibrary(FakeServer):
    """Serves /search.json and /works/<key>/editions.json, misbehaving per `scenario`."""

    def normal_body(self) -> bytes:
        return json.dumps({"numFound": len(OL_DOCS), "docs": OL_DOCS}).encode()

    def missing_fields_body(self) -> bytes:
        return json.dumps(OL_MISSING_FIELDS).encode()

    def answer(self, handler, path: str) -> None:
        if path == "/search.json":
            query = self.requests[-1]["params"].get("q", [""])[0]
            if query.startswith("key:/works/"):
                docs = [doc for doc in OL_DOCS if doc["key"] == query.removeprefix("key:")]
                return self.send(handler, 200, json.dumps({"numFound": len(docs), "docs": docs}).encode())
            return self.send(handler, 200, self.normal_body())
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "works" and parts[2] == "editions.json":
            editions = OL_EDITIONS.get(parts[1], {"entries": []})
            return self.send(handler, 200, json.dumps(editions).encode())
        return self.send(handler, 404, b'{"error": "notfound"}')


def closed_port_url(path: str = "/books/v1/volumes") -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def wait_for_google(text: str, timeout: float = 10.0) -> None:
    """Wait until Booky knows every source's answer for `text` (results or unavailable), as a poller would.

    Open Library, off unless a test turns it on, answers at once.
    """
    from books import google_books, open_library

    give_up = time.monotonic() + timeout
    while google_books.peek(text).pending or open_library.peek(text).pending:
        assert time.monotonic() < give_up, f"no answer from the background lookup for {text!r}"
        time.sleep(0.02)


wait_for_sources = wait_for_google


def settled_get(client, url: str, params: dict, **extra):
    """GET `url` once (which starts the background lookup), wait for Google's answer, GET it again."""
    client.get(url, params, **extra)
    wait_for_google(params.get("q") or params.get("book_q") or "")
    return client.get(url, params, **extra)


def wait_for_background_lookups(timeout: float = 10.0) -> None:
    """A lookup still running when a test ends would write into the next test's cache and breaker."""
    from books import google_books, open_library

    jobs = []
    for client in (google_books, open_library):
        with client._jobs_lock:
            jobs.extend(client._jobs)
    wait(jobs, timeout=timeout)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    wait_for_background_lookups()
    cache.clear()


@pytest.fixture
def fake_google(settings):
    fake = FakeGoogleBooks()
    settings.GOOGLE_BOOKS_URL = fake.url
    settings.GOOGLE_BOOKS_ENABLED = True
    settings.GOOGLE_BOOKS_API_KEY = ""

    def use(scenario: str) -> FakeGoogleBooks:
        fake.scenario = scenario
        settings.GOOGLE_BOOKS_URL = closed_port_url() if scenario == "refused" else fake.url
        return fake

    fake.use = use
    yield fake
    fake.close()  # lets hanging handlers return, so the lookups they held end now
    wait_for_background_lookups()


@pytest.fixture
def fake_open_library(settings, monkeypatch):
    """A fake Open Library; its client's clock (`fake.clock`) can be moved on, and its waits are recorded,
    not slept (`fake.waits`: retry delays and the one-request-a-second pacing, each moving the clock)."""
    from books import open_library

    fake = FakeOpenLibrary()
    settings.OPEN_LIBRARY_URL = fake.url
    settings.OPEN_LIBRARY_ENABLED = True
    settings.BOOKY_CONTACT_EMAIL = "books@club.example"
    fake.clock = RunningClock()
    fake.waits = []

    def recorded_sleep(seconds: float) -> None:
        fake.waits.append(seconds)
        fake.clock.advance(seconds)

    monkeypatch.setattr(open_library, "clock", fake.clock)
    monkeypatch.setattr(open_library, "sleep", recorded_sleep)
    open_library.forget_last_request()

    def use(scenario: str) -> FakeOpenLibrary:
        fake.scenario = scenario
        settings.OPEN_LIBRARY_URL = closed_port_url("") if scenario == "refused" else fake.url
        return fake

    fake.use = use
    yield fake
    fake.close()
    wait_for_background_lookups()
    open_library.forget_last_request()


@pytest.fixture
def no_retry_wait(monkeypatch):
    """Record the client's retry waits instead of sleeping through them."""
    from books import google_books

    waits: list[float] = []
    monkeypatch.setattr(google_books, "sleep", waits.append)
    return waits


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    from books import google_books

    fake_clock = Clock()
    monkeypatch.setattr(google_books, "clock", fake_clock)
    return fake_clock


class RunningClock(Clock):
    """Real time plus whatever the test moved it on by: a lookup stuck past its answer time still is."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
