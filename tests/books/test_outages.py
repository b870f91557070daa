"""Whatever Google Books does, the search page and the API answer fast with local results."""

import time

import pytest

from tests.books.conftest import FAILING_SCENARIOS

pytestmark = pytest.mark.django_db

NOTICE = "Google Books is unavailable right now"
BUDGET_SECONDS = 4.0


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.parametrize("scenario", FAILING_SCENARIOS)
def test_the_search_page_answers_with_local_results_and_the_notice(client, fake_google, scenario):
    fake_google.use(scenario)
    response, elapsed = timed(lambda: client.get("/books/", {"q": "pride"}))
    assert response.status_code == 200
    assert elapsed < BUDGET_SECONDS
    assert "Pride and Prejudice" in response.text
    assert NOTICE in response.text


@pytest.mark.parametrize("scenario", FAILING_SCENARIOS)
def test_the_api_answers_with_local_results_and_the_notice(api_client, fake_google, scenario):
    fake_google.use(scenario)
    response, elapsed = timed(lambda: api_client.get("/api/v1/books/", {"q": "pride"}))
    assert response.status_code == 200
    assert elapsed < BUDGET_SECONDS
    body = response.json()
    assert [result["title"] for result in body["results"]] == ["Pride and Prejudice"]
    assert body["google_available"] is False
    assert body["notice"] == NOTICE


@pytest.mark.parametrize("scenario", ["normal", "missing_fields"])
def test_when_google_answers_there_is_no_notice(client, api_client, fake_google, scenario):
    fake_google.use(scenario)
    page = client.get("/books/", {"q": "dune"})
    api = api_client.get("/api/v1/books/", {"q": "dune"}).json()
    assert page.status_code == 200 and NOTICE not in page.text
    assert api["google_available"] is True and api["notice"] is None


def test_without_google_configured_the_catalog_still_answers_with_the_notice(client):
    response = client.get("/books/", {"q": "dickens"})
    assert response.status_code == 200
    assert "Great Expectations" in response.text and "Bleak House" in response.text
    assert NOTICE in response.text


def test_google_results_join_local_ones_without_duplicates(client, fake_google):
    fake_google.use("normal")
    response = client.get("/books/", {"q": "pride"})
    text = response.text
    # Google's Pride and Prejudice has the catalog's ISBN: it is shown once, as our book.
    assert text.count('class="book-title">Pride and Prejudice<') == 1
    assert text.index('class="book-title">Pride and Prejudice<') < text.index('class="book-title">Dune<')
    assert 'href="/books/google/gDune01/"' in text


def test_api_returns_google_only_results_with_a_null_id(api_client, fake_google):
    fake_google.use("normal")
    results = api_client.get("/api/v1/books/", {"q": "pride"}).json()["results"]
    assert [(r["title"], r["id"] is None, r["google_volume_id"]) for r in results] == [
        ("Pride and Prejudice", False, ""),
        ("Dune", True, "gDune01"),
    ]


@pytest.mark.parametrize("scenario", ["drip", "drip_headers"])
def test_a_dripping_server_cannot_slow_the_page_or_the_api_past_four_seconds(
    client, api_client, fake_google, scenario
):
    fake_google.use(scenario)
    page, page_elapsed = timed(lambda: client.get("/books/", {"q": "dickens"}))
    assert page.status_code == 200 and page_elapsed < BUDGET_SECONDS
    assert "Great Expectations" in page.text and NOTICE in page.text
    api, api_elapsed = timed(lambda: api_client.get("/api/v1/books/", {"q": "dickens"}))
    assert api.status_code == 200 and api_elapsed < BUDGET_SECONDS
    body = api.json()
    assert "Great Expectations" in [result["title"] for result in body["results"]]
    assert body["google_available"] is False and body["notice"] == NOTICE
