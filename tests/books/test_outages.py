"""Whatever Google Books does, the search page and the API answer at once with local results, and the
page picks Google's part up (results, or the notice) from a poll that never waits on the network."""

import time

import pytest

from books import google_books
from tests.books.conftest import FAILING_SCENARIOS, settled_get, wait_for_google

pytestmark = pytest.mark.django_db

NOTICE = "Google Books is unavailable right now"
PENDING = "Searching Google Books…"
FAST_SECONDS = 1.0  # "at once", with room for a busy CI machine
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _warm(client):
    """The process's first request imports and compiles for seconds: not what these tests time."""
    client.get("/books/")
    client.get("/api/v1/books/")


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def poll_url(response) -> str:
    text = response.text
    start = text.index('data-hx-get="/books/search/google/?') + len('data-hx-get="')
    return text[start : text.index('"', start)].replace("&amp;", "&")


@pytest.mark.parametrize("scenario", [*FAILING_SCENARIOS, "hang"])
def test_the_search_page_answers_at_once_and_its_poll_brings_the_notice(client, fake_google, scenario):
    fake_google.use(scenario)
    response, elapsed = timed(lambda: client.get("/books/", {"q": "pride"}))
    assert response.status_code == 200
    assert elapsed < FAST_SECONDS
    assert "Pride and Prejudice" in response.text
    assert PENDING in response.text and NOTICE not in response.text
    url = poll_url(response)

    wait_for_google("pride")
    poll, elapsed = timed(lambda: client.get(url, headers=HX))
    assert poll.status_code == 200 and elapsed < FAST_SECONDS
    # After the <title> htmx sets the tab's title from: the results alone.
    assert poll.text.split("</title>", 1)[1].lstrip().startswith('<section id="book-results"')
    assert "Pride and Prejudice" in poll.text and NOTICE in poll.text and PENDING not in poll.text


@pytest.mark.parametrize("scenario", [*FAILING_SCENARIOS, "hang"])
def test_the_api_answers_at_once_with_local_results_and_google_pending(api_client, fake_google, scenario):
    fake_google.use(scenario)
    response, elapsed = timed(lambda: api_client.get("/api/v1/books/", {"q": "pride"}))
    assert response.status_code == 200
    assert elapsed < FAST_SECONDS
    body = response.json()
    assert [result["title"] for result in body["results"]] == ["Pride and Prejudice"]
    assert (body["google_pending"], body["google_available"], body["notice"]) == (True, True, None)

    wait_for_google("pride")
    again, elapsed = timed(lambda: api_client.get("/api/v1/books/", {"q": "pride"}))
    body = again.json()
    assert elapsed < FAST_SECONDS
    assert [result["title"] for result in body["results"]] == ["Pride and Prejudice"]
    assert (body["google_pending"], body["google_available"], body["notice"]) == (False, False, NOTICE)


def test_while_google_has_not_answered_the_poll_answers_204_without_asking_it(client, fake_google):
    fake = fake_google.use("hang")
    url = poll_url(client.get("/books/", {"q": "pride"}))
    time.sleep(0.1)
    for _ in range(3):
        poll, elapsed = timed(lambda: client.get(url, headers=HX))
        assert poll.status_code == 204 and elapsed < FAST_SECONDS
    assert fake.count == 1  # the search asked once; polls only read the cache
    assert "HX-Request" in poll["Vary"] and "no-cache" in poll["Cache-Control"]
    assert client.head(url, headers=HX).status_code == 204


def test_a_poll_gives_up_when_no_answer_can_come(client, fake_google, settings):
    """A lookup in another process with its own cache (local-memory cache, several workers) is invisible."""
    fake_google.use("normal")
    since = int(time.time())
    url = f"/books/search/google/?q=pride&page=1&since={since}"
    assert client.get(url, headers=HX).status_code == 204  # nothing known yet: keep polling
    old = since - int(google_books.LOOKUP_SECONDS) - 10
    poll = client.get(f"/books/search/google/?q=pride&page=1&since={old}", headers=HX)
    assert poll.status_code == 200 and NOTICE in poll.text and "Pride and Prejudice" in poll.text
    assert fake_google.count == 0


@pytest.mark.parametrize("scenario", ["normal", "missing_fields"])
def test_when_google_answers_there_is_no_notice(client, api_client, fake_google, scenario):
    fake_google.use(scenario)
    page = settled_get(client, "/books/", {"q": "dune"})
    api = api_client.get("/api/v1/books/", {"q": "dune"}).json()
    assert page.status_code == 200 and NOTICE not in page.text and PENDING not in page.text
    assert api["google_available"] is True and api["notice"] is None and api["google_pending"] is False


def test_without_google_configured_the_catalog_still_answers_with_the_notice(client):
    response = client.get("/books/", {"q": "dickens"})
    assert response.status_code == 200
    assert "Great Expectations" in response.text and "Bleak House" in response.text
    assert NOTICE in response.text and PENDING not in response.text


def test_the_poll_brings_google_results_joined_to_local_ones_without_duplicates(client, fake_google):
    fake_google.use("normal")
    url = poll_url(client.get("/books/", {"q": "pride"}))
    wait_for_google("pride")
    text = client.get(url, headers=HX).text
    # Google's Pride and Prejudice has the catalog's ISBN: it is shown once, as our book.
    assert text.count('class="book-title">Pride and Prejudice<') == 1
    assert text.index('class="book-title">Pride and Prejudice<') < text.index('class="book-title">Dune<')
    assert 'action="/books/google/gDune01/"' in text
    assert "2 books for “pride”" in text


def test_without_javascript_the_load_more_link_shows_google_results_when_ready(client, fake_google):
    fake_google.use("normal")
    first = client.get("/books/", {"q": "pride"})
    link = poll_url(first)
    assert f'<a href="{link.replace("&", "&amp;")}"' in first.text
    assert "Load more results from Google Books" in first.text
    wait_for_google("pride")
    page = client.get(link)
    assert "<html" in page.text and 'class="book-title">Dune<' in page.text
    assert PENDING not in page.text


def test_api_returns_google_only_results_with_a_null_id(api_client, fake_google):
    fake_google.use("normal")
    results = settled_get(api_client, "/api/v1/books/", {"q": "pride"}).json()["results"]
    assert [(r["title"], r["id"] is None, r["google_volume_id"]) for r in results] == [
        ("Pride and Prejudice", False, ""),
        ("Dune", True, "gDune01"),
    ]


def test_the_picker_answers_at_once_and_its_poll_brings_google_results(client, fake_google):
    fake_google.use("normal")
    params = {"field": "book", "book_q": "dune"}
    first, elapsed = timed(lambda: client.get("/books/picker/", params, headers=HX))
    assert elapsed < FAST_SECONDS and PENDING in first.text
    text = first.text
    start = text.index('data-hx-get="/books/picker/?') + len('data-hx-get="')
    url = text[start : text.index('"', start)].replace("&amp;", "&")
    wait_for_google("dune")
    poll = client.get(url, headers=HX)
    assert poll.status_code == 200 and 'value="google:gDune01"' in poll.text and PENDING not in poll.text


def test_a_picker_poll_while_google_hangs_is_204_and_not_counted_as_a_search(client, fake_google):
    fake_google.use("hang")
    first = client.get("/books/picker/", {"field": "book", "book_q": "dune"}, headers=HX)
    text = first.text
    start = text.index('data-hx-get="/books/picker/?') + len('data-hx-get="')
    url = text[start : text.index('"', start)].replace("&amp;", "&")
    for _ in range(35):  # more than the 30 searches a minute
        assert client.get(url, headers=HX).status_code == 204
