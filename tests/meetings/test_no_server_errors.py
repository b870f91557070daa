"""Requests a fuzzer sent to the meetings pages and API that once answered 500: each is now a 4xx."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import Meeting
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.now().year + 1


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "starts_at",
    [
        f"{NEXT_YEAR}-06-04T19:60:00+00:00",
        f"{NEXT_YEAR}-02-30T19:00:00Z",
        f"{NEXT_YEAR}-06-04T25:00:00+02:00",
    ],
)
def test_an_impossible_start_time_in_the_api_is_a_400_naming_the_field(cast, starts_at):
    response = client_for(cast.owner).post(
        f"/api/v1/clubs/{cast.club.slug}/meetings/",
        {"book": BookFactory().pk, "starts_at": starts_at, "place": "Library"},
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"].startswith("starts_at:")
    assert not Meeting.objects.exists()


def test_a_superscript_digit_as_book_on_the_schedule_page_shows_the_form(client, cast):
    client.force_login(cast.owner)
    response = client.get(f"/clubs/{cast.club.slug}/meetings/new/", {"book_q": "x", "book": "²"})
    assert response.status_code == 200
    assert "Schedule a meeting" in response.text


def test_a_superscript_digit_as_book_when_scheduling_is_a_422_and_nothing_is_saved(client, cast):
    client.force_login(cast.owner)
    response = client.post(
        f"/clubs/{cast.club.slug}/meetings/new/",
        {"book": "²", "starts_at": f"{NEXT_YEAR}-06-04T19:00", "duration_minutes": "90", "place": "Library"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "That book is not in Booky any more" in response.text
    assert not Meeting.objects.exists()
