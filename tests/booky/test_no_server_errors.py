"""Requests a fuzzer sent to the site-wide routes that once answered 500: each now has a 2xx or 4xx."""

import re

import pytest
from rest_framework.test import APIClient

from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_options_on_the_api_docs_page_is_405_not_a_server_error(client):
    response = client.options("/api/docs/")
    assert response.status_code == 405
    assert client.get("/api/docs/").status_code == 200


def _api_paths(client) -> list[str]:
    schema = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    return list(schema["paths"])


def test_options_on_every_api_route_answers_without_a_server_error(cast):
    """DRF describes a route's POST/PUT body from its serializer; a view without one used to crash."""
    meeting = MeetingFactory(club=cast.club)
    client = APIClient()
    client.force_authenticate(cast.member)
    values = {"slug": cast.club.slug, "club_slug": cast.club.slug, "username": cast.owner.username}
    values |= {
        "meeting_pk": str(meeting.pk),
        "id": str(meeting.pk),
        "scope": "global",
        "kind": "like",
        "nomination_id": "1",
    }
    paths = _api_paths(client)
    assert "/api/v1/meetings/{meeting_pk}/bets/" in paths
    for path in paths:
        url = re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], path)
        response = client.options(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response["Content-Type"] == "application/json", url
