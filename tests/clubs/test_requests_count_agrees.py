"""Deciding on a join request in place also updates the queue's count, in the same response."""

import pytest

from clubs.models import JoinRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def queue(cast):
    """The cast's requester and two more people waiting: three requests."""
    for name in ("Pia Pending", "Quentin Queue"):
        JoinRequest.objects.create(club=cast.club, user=UserFactory(display_name=name))
    return list(JoinRequest.objects.filter(club=cast.club).order_by("pk"))


def test_the_queue_page_shows_the_count_in_a_region_of_its_own(client, cast, queue):
    client.force_login(cast.owner)
    response = client.get(f"/clubs/{cast.club.slug}/requests/")
    assert '<p id="requests-count">3 requests waiting for a decision.</p>' in response.text


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_a_decision_sends_the_new_count_out_of_band(client, cast, queue, decision):
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/requests/{queue[0].pk}/{decision}/", headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="request-{queue[0].pk}"')
    assert (
        '<p id="requests-count" data-hx-swap-oob="true">2 requests waiting for a decision.</p>'
        in response.text
    )


def test_the_last_decision_says_the_queue_is_empty(client, cast):
    client.force_login(cast.owner)
    [only] = JoinRequest.objects.filter(club=cast.club)
    response = client.post(f"/clubs/{cast.club.slug}/requests/{only.pk}/approve/", headers=HX)
    assert (
        f'<p id="requests-count" data-hx-swap-oob="true">People who ask to join {cast.club.name} show up here.</p>'
        in (response.text)
    )


def test_a_refused_decision_still_reports_the_true_count(client, cast, queue):
    client.force_login(cast.owner)
    client.post(f"/clubs/{cast.club.slug}/requests/{queue[0].pk}/approve/")
    response = client.post(f"/clubs/{cast.club.slug}/requests/{queue[0].pk}/decline/", headers=HX)
    assert response.status_code == 409
    assert "2 requests waiting for a decision." in response.text
