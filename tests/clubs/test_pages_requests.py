"""The join-request queue: owner and moderators approve or decline, each row swapping in place."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubs.models import JoinRequest, JoinRequestStatus, Membership, Visibility
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _request_of(cast):
    return JoinRequest.objects.get(club=cast.club, user=cast.requester)


def _decide_url(cast, decision):
    return f"/clubs/{cast.club.slug}/requests/{_request_of(cast).pk}/{decision}/"


@pytest.mark.parametrize("role", ["owner", "moderator"])
def test_staff_see_pending_requests(client, cast, role):
    client.force_login(cast.user_for(role))
    response = client.get(f"/clubs/{cast.club.slug}/requests/")
    assert response.status_code == 200
    assert "<html" in response.text
    assert cast.requester.name in response.text
    assert "1 request waiting for a decision." in response.text
    assert "Approve" in response.text and "Decline" in response.text


def test_decided_requests_are_not_in_the_queue(client, cast):
    JoinRequest.objects.create(
        club=cast.club, user=UserFactory(display_name="Old Declined"), status=JoinRequestStatus.DECLINED
    )
    client.force_login(cast.owner)
    assert "Old Declined" not in client.get(f"/clubs/{cast.club.slug}/requests/").text


def test_empty_queue_says_all_caught_up(client, cast):
    _request_of(cast).delete()
    client.force_login(cast.owner)
    response = client.get(f"/clubs/{cast.club.slug}/requests/")
    assert "No pending requests. You're all caught up." in response.text


@pytest.mark.parametrize("role", ["member", "requester", "outsider"])
def test_others_may_not_see_the_queue(client, cast, role):
    client.force_login(cast.user_for(role))
    assert client.get(f"/clubs/{cast.club.slug}/requests/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, cast):
    response = client.get(f"/clubs/{cast.club.slug}/requests/")
    assert response["Location"] == f"/accounts/login/?next=/clubs/{cast.club.slug}/requests/"


def test_outsiders_of_a_private_club_get_404(client, cast):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    client.force_login(cast.outsider)
    assert client.get(f"/clubs/{cast.club.slug}/requests/").status_code == 404


def test_approving_with_htmx_makes_a_member_and_swaps_the_row(client, cast):
    join_request = _request_of(cast)
    client.force_login(cast.moderator)
    response = client.post(_decide_url(cast, "approve"), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'<li id="request-{join_request.pk}"' in response.text
    assert f"Approved: {cast.requester.name} is now a member." in response.text
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.APPROVED
    assert Membership.objects.filter(club=cast.club, user=cast.requester).exists()


def test_declining_without_javascript_redirects_back_to_the_queue(client, cast):
    join_request = _request_of(cast)
    client.force_login(cast.owner)
    response = client.post(_decide_url(cast, "decline"), follow=True)
    assert response.redirect_chain == [(f"/clubs/{cast.club.slug}/requests/", 302)]
    assert f"Declined the request from {cast.requester.name}." in response.text
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(club=cast.club, user=cast.requester).exists()


def test_deciding_twice_says_it_was_already_decided(client, cast):
    url = _decide_url(cast, "approve")
    client.force_login(cast.owner)
    client.post(url)
    response = client.post(_decide_url(cast, "decline"), headers=HX)
    assert response.status_code == 409
    assert "This request was already approved." in response.text
    assert _request_of(cast).status == JoinRequestStatus.APPROVED


@pytest.mark.parametrize("role", ["member", "requester", "outsider"])
def test_only_staff_decide(client, cast, role):
    client.force_login(cast.user_for(role))
    assert client.post(_decide_url(cast, "approve")).status_code == 403
    assert _request_of(cast).status == JoinRequestStatus.PENDING


def test_a_request_of_another_club_is_404(client, cast):
    other = JoinRequest.objects.create(
        club=cast.club.__class__.objects.create(name="Other", slug="other"), user=UserFactory()
    )
    client.force_login(cast.owner)
    assert client.post(f"/clubs/{cast.club.slug}/requests/{other.pk}/approve/").status_code == 404


def test_decisions_refuse_get(client, cast):
    client.force_login(cast.owner)
    assert client.get(_decide_url(cast, "approve")).status_code == 405


def test_queue_queries_do_not_grow_with_requests(client, cast):
    client.force_login(cast.owner)
    url = f"/clubs/{cast.club.slug}/requests/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        JoinRequest.objects.create(club=cast.club, user=UserFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
