"""The poll's rules as the services keep them: bad input changes nothing, results stay hidden until
the close, the close happens once, members hear of it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booky.core.errors import Conflict, DomainError, NotAllowed
from clubs.models import Ballot, BallotRank, Nomination, Poll, PollMode
from clubs.polls import services
from clubs.polls.services import PollClosed
from social.models import Notification, NotificationKind
from tests.clubs.polls.conftest import to_ended, to_voting

pytestmark = pytest.mark.django_db


def test_opening_refuses_bad_deadlines_and_a_second_open_poll(poll_cast):
    now = timezone.now()
    with pytest.raises(DomainError, match="in the future"):
        poll_cast.open_poll(nominations_close_at=now - timedelta(hours=1))
    with pytest.raises(DomainError, match="10 minutes after"):
        poll_cast.open_poll(
            nominations_close_at=now + timedelta(hours=1), voting_closes_at=now + timedelta(hours=1)
        )
    with pytest.raises(NotAllowed):
        services.poll_open(
            actor=poll_cast.member, club=poll_cast.club,
            nominations_close_at=now + timedelta(days=1), voting_closes_at=now + timedelta(days=2),
        )  # fmt: skip
    poll_cast.open_poll()
    with pytest.raises(Conflict, match="already has an open poll"):
        poll_cast.open_poll()
    assert Poll.objects.count() == 1


def test_members_hear_when_a_poll_opens(poll_cast):
    poll = poll_cast.open_poll()
    told = set(
        Notification.objects.filter(kind=NotificationKind.POLL_OPENED).values_list("recipient", flat=True)
    )
    assert told == {poll_cast.moderator.pk, poll_cast.member.pk, poll_cast.other_member.pk}
    assert (
        Notification.objects.filter(kind=NotificationKind.POLL_OPENED).first().url == poll.get_absolute_url()
    )


def test_nominations_keep_their_limits(poll_cast):
    poll = poll_cast.open_poll(max_nominations=1)
    dune, emma = poll_cast.books[:2]
    services.nomination_add(actor=poll_cast.member, poll=poll, book=dune)
    with pytest.raises(Conflict, match="already nominated"):
        services.nomination_add(actor=poll_cast.other_member, poll=poll, book=dune)
    with pytest.raises(DomainError, match="the most this poll allows"):
        services.nomination_add(actor=poll_cast.member, poll=poll, book=emma)
    with pytest.raises(DomainError, match="one line"):
        services.nomination_add(actor=poll_cast.other_member, poll=poll, book=emma, pitch="x" * 141)
    with pytest.raises(NotAllowed):
        services.nomination_add(actor=poll_cast.outsider, poll=poll, book=emma)
    assert Nomination.objects.count() == 1


def test_a_hosts_only_poll_refuses_members_nominations(poll_cast):
    poll = poll_cast.open_poll(nominations_by="hosts")
    with pytest.raises(NotAllowed, match="only the owner and moderators"):
        services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])
    services.nomination_add(actor=poll_cast.moderator, poll=poll, book=poll_cast.books[0])


def test_nominations_close_at_their_deadline(poll_cast):
    poll = to_voting(poll_cast.open_poll())
    with pytest.raises(PollClosed):
        services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])


@pytest.fixture
def voting(poll_cast):
    poll = poll_cast.open_poll()
    for book, who in zip(
        poll_cast.books[:3], (poll_cast.member, poll_cast.other_member, poll_cast.owner), strict=True
    ):
        services.nomination_add(actor=who, poll=poll, book=book)
    return to_voting(poll)


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ([], "at least one"),
        (["x"], "by their numbers"),
        ("repeat", "at most once"),
        ([999999], "not a nominee"),
    ],
)
def test_bad_ballots_are_refused_and_change_nothing(poll_cast, voting, ranking, message):
    first = voting.nominations.order_by("pk").first()
    if ranking == "repeat":
        ranking = [first.pk, first.pk]
    with pytest.raises(DomainError, match=message):
        services.ballot_cast(voter=poll_cast.member, poll=voting, ranking=ranking)
    assert not Ballot.objects.exists() and not BallotRank.objects.exists()


def test_voting_opens_at_the_nomination_deadline_and_ends_at_close(poll_cast):
    poll = poll_cast.open_poll()
    nomination = services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])
    with pytest.raises(PollClosed, match="opens when the nominations close"):
        services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[nomination.pk])
    poll = to_voting(poll)
    services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[nomination.pk])
    poll = to_ended(poll)
    with pytest.raises(PollClosed, match="can no longer change"):
        services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[nomination.pk])
    services.poll_close(poll_id=poll.pk)
    with pytest.raises(PollClosed):
        services.ballot_withdraw(voter=poll_cast.member, poll=poll)
    assert BallotRank.objects.count() == 1


def test_a_one_vote_poll_takes_one_choice(poll_cast):
    poll = poll_cast.open_poll(mode=PollMode.SINGLE)
    a = services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])
    b = services.nomination_add(actor=poll_cast.owner, poll=poll, book=poll_cast.books[1])
    poll = to_voting(poll)
    with pytest.raises(DomainError, match="choose one book"):
        services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[a.pk, b.pk])
    services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[b.pk])
    services.poll_close(poll_id=to_ended(poll).pk)
    poll.refresh_from_db()
    assert poll.winner == b and len(poll.rounds) == 1


def test_a_changed_ballot_replaces_the_first(poll_cast, voting):
    dune, emma, _ = voting.nominations.order_by("pk")
    services.ballot_cast(voter=poll_cast.member, poll=voting, ranking=[dune.pk, emma.pk])
    services.ballot_cast(voter=poll_cast.member, poll=voting, ranking=[emma.pk])
    assert list(BallotRank.objects.values_list("nomination_id", "rank")) == [(emma.pk, 1)]


def test_results_stay_hidden_until_close_and_ballots_stay_secret(client, poll_cast, voting):
    dune, emma, ulysses = voting.nominations.order_by("pk")
    services.ballot_cast(voter=poll_cast.member, poll=voting, ranking=[emma.pk])
    services.ballot_cast(voter=poll_cast.other_member, poll=voting, ranking=[emma.pk, dune.pk])
    client.force_login(poll_cast.owner)
    page = client.get(voting.get_absolute_url())
    assert "Turnout:" in page.text and "2 of 4 members voted" in page.text
    assert "Running count" not in page.text and "The winner is" not in page.text
    api = client.get(f"/api/v1/polls/{voting.pk}/").json()
    assert api["result"] is None and api["turnout"] == {"ballots": 2, "members": 4}
    assert "ballots" not in api and "voter" not in str(api) and "ranking" not in str(api["nominations"])
    client.force_login(poll_cast.member)
    assert client.get(f"/api/v1/polls/{voting.pk}/").json()["turnout"] is None
    assert client.get(f"/api/v1/polls/{voting.pk}/ballot/").json() == {"ranking": [emma.pk]}


def test_live_results_show_the_running_count_to_members(client, poll_cast):
    poll = poll_cast.open_poll(show_live_results=True)
    a = services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])
    poll = to_voting(poll)
    services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[a.pk])
    client.force_login(poll_cast.member)
    assert "Running count" in client.get(poll.get_absolute_url()).text
    client.logout()
    assert "Running count" not in client.get(poll.get_absolute_url()).text


def test_the_poll_closes_exactly_once_and_members_hear_the_result(poll_cast, voting):
    dune = voting.nominations.order_by("pk").first()
    services.ballot_cast(voter=poll_cast.member, poll=voting, ranking=[dune.pk])
    assert services.poll_close(poll_id=voting.pk) is False  # not due yet
    to_ended(voting)
    assert services.polls_close_due() == 1
    assert services.polls_close_due() == 0
    assert services.poll_close(poll_id=voting.pk) is False
    voting.refresh_from_db()
    assert voting.winner == dune and voting.ballots_counted == 1
    results = Notification.objects.filter(kind=NotificationKind.POLL_RESULT)
    assert results.count() == 4 and "chose its next book: “Dune”" in results.first().message


def test_members_who_have_not_voted_are_reminded_a_day_before_once(poll_cast, voting):
    dune = voting.nominations.order_by("pk").first()
    services.ballot_cast(voter=poll_cast.member, poll=voting, ranking=[dune.pk])
    Poll.objects.filter(pk=voting.pk).update(voting_closes_at=timezone.now() + timedelta(hours=20))
    assert services.polls_remind_closing() == 3
    assert services.polls_remind_closing() == 0
    reminded = set(
        Notification.objects.filter(kind=NotificationKind.POLL_CLOSING).values_list("recipient", flat=True)
    )
    assert poll_cast.member.pk not in reminded and poll_cast.owner.pk in reminded


def test_the_sweep_command_closes_due_polls(poll_cast, voting):
    from io import StringIO

    from django.core.management import call_command

    to_ended(voting)
    out = StringIO()
    call_command("resolve_due_meetings", stdout=out)
    assert "Closed 1 poll(s)." in out.getvalue()
    voting.refresh_from_db()
    assert voting.closed_at is not None


def test_scheduling_the_winner_twice_makes_one_meeting(client, poll_cast, voting):
    from meetings import services as meeting_services
    from meetings.models import Meeting

    dune = voting.nominations.order_by("pk").first()
    services.ballot_cast(voter=poll_cast.member, poll=voting, ranking=[dune.pk])
    services.poll_close(poll_id=to_ended(voting).pk)
    voting.refresh_from_db()
    starts = timezone.now() + timedelta(days=10)
    meeting_services.meeting_schedule_poll_winner(
        actor=poll_cast.owner, poll=voting, starts_at=starts, place="Library"
    )
    with pytest.raises(Conflict, match="already scheduled"):
        meeting_services.meeting_schedule_poll_winner(
            actor=poll_cast.moderator, poll=voting, starts_at=starts, place="Library"
        )
    with pytest.raises(NotAllowed):
        meeting_services.meeting_schedule_poll_winner(
            actor=poll_cast.member, poll=voting, starts_at=starts, place="Library"
        )
    assert Meeting.objects.filter(from_poll=voting).count() == 1
    client.force_login(poll_cast.owner)
    response = client.post(
        reverse("clubs:poll_schedule", args=[poll_cast.club.slug, voting.pk]),
        {"starts_at": "2099-01-01T19:00", "duration_minutes": "120", "place": "x"},
    )
    assert response.status_code == 409 and "Scheduled as" in response.text
