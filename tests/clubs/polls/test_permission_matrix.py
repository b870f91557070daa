"""Every poll action × every role, over the HTML page, the htmx fragment and the API: who may do it,
and that a refused request changes nothing. The club is public (outsiders see its polls); the
nomination acted on is by another member ("nominator")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clubs.models import Ballot, BallotRank, Nomination, Poll
from clubs.polls import services
from meetings.models import Meeting
from tests.clubs.polls.conftest import to_ended, to_voting
from tests.matrix import FORBIDDEN, LOGIN, OK, check_api, check_data, check_page, send_api, send_page

pytestmark = pytest.mark.django_db

ROLES = ["nominator", "owner", "moderator", "member", "outsider", "anonymous"]
EVERYONE = dict.fromkeys(ROLES, OK)
MEMBERS = {
    **dict.fromkeys(["nominator", "owner", "moderator", "member"], OK),
    "outsider": FORBIDDEN,
    "anonymous": LOGIN,
}
HOSTS = {**MEMBERS, "nominator": FORBIDDEN, "member": FORBIDDEN}
NOMINATOR_OR_HOSTS = {**MEMBERS, "member": FORBIDDEN}


def _local(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# name: (phase, method, url(scene), data, expected by role, writes data)
HTML_ACTIONS = {
    "see the poll list": (
        "nominating",
        "get",
        lambda s: reverse("clubs:polls", args=[s.club.slug]),
        {},
        EVERYONE,
        False,
    ),
    "see the poll": ("nominating", "get", lambda s: s.poll.get_absolute_url(), {}, EVERYONE, False),
    "open a poll": (
        "closed",
        "post",
        lambda s: reverse("clubs:poll_create", args=[s.club.slug]),
        lambda s: {
            "mode": "ranked",
            "nominations_by": "members",
            "max_nominations": "2",
            "nominations_close_at": _local(1),
            "voting_closes_at": _local(3),
        },
        HOSTS,
        True,
    ),  # fmt: skip
    "nominate": (
        "nominating",
        "post",
        lambda s: reverse("clubs:poll_nominate", args=[s.club.slug, s.poll.pk]),
        lambda s: {"book": s.spare_book.pk, "pitch": "Short and sharp"},
        {**MEMBERS, "nominator": OK},
        True,
    ),
    "withdraw a nomination": (
        "nominating",
        "post",
        lambda s: reverse("clubs:poll_withdraw", args=[s.club.slug, s.poll.pk, s.nomination.pk]),
        lambda s: {},
        NOMINATOR_OR_HOSTS,
        True,
    ),
    "vote": (
        "voting",
        "post",
        lambda s: reverse("clubs:poll_vote", args=[s.club.slug, s.poll.pk]),
        lambda s: {f"rank_{s.nomination.pk}": "1"},
        MEMBERS,
        True,
    ),
    "schedule the winner": (
        "closed",
        "post",
        lambda s: reverse("clubs:poll_schedule", args=[s.club.slug, s.poll.pk]),
        lambda s: {"starts_at": _local(20), "duration_minutes": "120", "place": "Library"},
        HOSTS,
        True,
    ),
}
API_ACTIONS = {
    "list polls": (
        "nominating",
        "get",
        lambda s: f"/api/v1/clubs/{s.club.slug}/polls/",
        None,
        EVERYONE,
        False,
    ),
    "read a poll": ("nominating", "get", lambda s: f"/api/v1/polls/{s.poll.pk}/", None, EVERYONE, False),
    "open a poll": (
        "closed",
        "post",
        lambda s: f"/api/v1/clubs/{s.club.slug}/polls/",
        lambda s: {
            "nominations_close_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "voting_closes_at": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        HOSTS,
        True,
    ),  # fmt: skip
    "nominate": (
        "nominating",
        "post",
        lambda s: f"/api/v1/polls/{s.poll.pk}/nominations/",
        lambda s: {"book": s.spare_book.pk},
        MEMBERS,
        True,
    ),
    "withdraw a nomination": (
        "nominating",
        "delete",
        lambda s: f"/api/v1/polls/{s.poll.pk}/nominations/{s.nomination.pk}/",
        lambda s: None,
        NOMINATOR_OR_HOSTS,
        True,
    ),
    "schedule the winner": (
        "closed",
        "post",
        lambda s: f"/api/v1/polls/{s.poll.pk}/schedule/",
        lambda s: {"starts_at": (timezone.now() + timedelta(days=20)).isoformat(), "place": "Library"},
        HOSTS,
        True,
    ),
    "read my ballot": ("voting", "get", lambda s: f"/api/v1/polls/{s.poll.pk}/ballot/", None, MEMBERS, False),
    "vote": (
        "voting",
        "put",
        lambda s: f"/api/v1/polls/{s.poll.pk}/ballot/",
        lambda s: {"ranking": [s.nomination.pk]},
        MEMBERS,
        True,
    ),
}


class Scene:
    def __init__(self, cast, phase: str):
        self.club = cast.club
        self.people = {
            "nominator": cast.other_member,
            "owner": cast.owner,
            "moderator": cast.moderator,
            "member": cast.member,
            "outsider": cast.outsider,
        }
        self.poll = cast.open_poll()
        self.nomination = services.nomination_add(actor=cast.other_member, poll=self.poll, book=cast.books[0])
        self.spare_book = cast.books[1]
        if phase == "voting":
            self.poll = to_voting(self.poll)
        elif phase == "closed":
            self.poll = to_voting(self.poll)
            services.ballot_cast(voter=cast.member, poll=self.poll, ranking=[self.nomination.pk])
            self.poll = to_ended(self.poll)
            services.poll_close(poll_id=self.poll.pk)
            self.poll.refresh_from_db()


def snapshot() -> tuple:
    return (
        list(Poll.objects.values_list("pk", "closed_at")),
        list(Nomination.objects.values_list("pk", "book_id", "pitch")),
        list(Ballot.objects.values_list("pk", "voter_id")),
        list(BallotRank.objects.values_list("ballot_id", "nomination_id", "rank")),
        Meeting.objects.count(),
    )


def _data(data, scene):
    return data(scene) if callable(data) else data


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(HTML_ACTIONS))
def test_html_and_htmx(client, poll_cast, action, role, htmx):
    phase, method, url, data, expected, writes = HTML_ACTIONS[action]
    scene = Scene(poll_cast, phase)
    if role != "anonymous":
        client.force_login(scene.people[role])
    before = snapshot()
    response = send_page(
        client, method, url(scene), _data(data, scene), htmx=htmx, current_url=scene.poll.get_absolute_url()
    )
    check_page(response, expected[role], htmx=htmx)
    if expected[role] == OK and method == "post":
        assert response.status_code in (200, 302), response.content[:500]
    check_data(before, snapshot(), outcome=expected[role], changes_data=writes)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(API_ACTIONS))
def test_api(poll_cast, action, role):
    phase, method, url, payload, expected, writes = API_ACTIONS[action]
    scene = Scene(poll_cast, phase)
    before = snapshot()
    response = send_api(scene.people.get(role), method, url(scene), _data(payload, scene))
    check_api(response, expected[role])
    check_data(before, snapshot(), outcome=expected[role], changes_data=writes)
