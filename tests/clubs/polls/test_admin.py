"""The polls in the moderators' admin: listed with their turnout and winner for a superuser and a site
moderator, never a ballot; the close action counts only polls whose voting has ended."""

import pytest
from django.contrib.auth.models import Group

from clubs.models import Poll
from clubs.polls import services
from tests.clubs.polls.conftest import to_ended, to_voting
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
POLLS = "/admin/clubs/poll/"


@pytest.fixture(params=["superuser", "site_moderator"])
def staff_client(request, admin_client, client):
    if request.param == "superuser":
        return admin_client
    staff = UserFactory(username="modesta", is_staff=True)
    staff.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(staff)
    return client


@pytest.fixture
def voting_poll(poll_cast):
    poll = poll_cast.open_poll()
    nomination = services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])
    poll = to_voting(poll)
    services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[nomination.pk])
    return poll


def test_the_polls_list_and_page_show_turnout_not_ballots(staff_client, voting_poll):
    listing = staff_client.get(POLLS)
    assert listing.status_code == 200 and "What do we read next?" in listing.text
    page = staff_client.get(f"{POLLS}{voting_poll.pk}/change/")
    assert page.status_code == 200 and "Dune" in page.text
    assert staff_client.get("/admin/clubs/ballot/").status_code == 404
    assert staff_client.get("/admin/clubs/ballotrank/").status_code == 404


def test_the_close_action_counts_only_ended_polls(staff_client, voting_poll):
    data = {"action": "close_due", "_selected_action": [voting_poll.pk]}
    staff_client.post(POLLS, data)
    voting_poll.refresh_from_db()
    assert voting_poll.closed_at is None
    to_ended(voting_poll)
    response = staff_client.post(POLLS, data, follow=True)
    assert "Polls counted and closed: 1." in response.text
    assert Poll.objects.get(pk=voting_poll.pk).winner is not None


def test_plain_staff_without_the_group_cannot_see_polls(client, voting_poll):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(POLLS).status_code == 403
