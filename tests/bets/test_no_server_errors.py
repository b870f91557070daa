"""Requests a fuzzer sent to the bets API that once answered 500: each now has a proper answer."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_options_on_a_meetings_bets_describes_how_to_place_a_bet(cast, race):
    client = APIClient()
    client.force_authenticate(cast.member)
    response = client.options(f"/api/v1/meetings/{race.pk}/bets/")
    assert response.status_code == 200, response.content
    assert "POST" in response["Allow"]
    assert set(response.json()["actions"]["POST"]) >= {"horse", "amount"}
