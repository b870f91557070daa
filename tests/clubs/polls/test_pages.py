"""The poll pages as a member uses them, without JavaScript and with htmx."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clubs.models import Ballot, Nomination, Poll
from clubs.polls import services
from meetings.models import Meeting
from tests.clubs.polls.conftest import to_ended, to_voting

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def local(*, days: int) -> str:
    """A datetime-local value `days` from now (the test users have no zone: UTC)."""
    return (timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_a_poll_from_opening_to_the_scheduled_meeting(client, poll_cast):
    cast = poll_cast
    client.force_login(cast.owner)
    response = client.post(
        reverse("clubs:poll_create", args=[cast.club.slug]),
        {
            "title": "",
            "mode": "ranked",
            "nominations_by": "members",
            "max_nominations": "2",
            "nominations_close_at": local(days=2),
            "voting_closes_at": local(days=9),
        },
    )
    poll = Poll.objects.get(club=cast.club)
    assert response.status_code == 302 and response["Location"] == poll.get_absolute_url()
    assert poll.title == "What do we read next?"

    client.force_login(cast.member)
    page = client.get(poll.get_absolute_url())
    assert page.status_code == 200 and "No books nominated yet" in page.text
    response = client.post(
        reverse("clubs:poll_nominate", args=[cast.club.slug, poll.pk]),
        {"book": cast.books[0].pk, "pitch": "Sand and politics"},
        headers=HTMX,
    )
    assert response.status_code == 200, response.text
    assert "Nominated “Dune”." in response.text and "Sand and politics" in response.text
    again = client.post(
        reverse("clubs:poll_nominate", args=[cast.club.slug, poll.pk]),
        {"book": cast.books[0].pk},
        headers=HTMX,
    )
    assert again.status_code == 409 and "already nominated" in again.text
    services.nomination_add(actor=cast.other_member, poll=poll, book=cast.books[1])
    services.nomination_add(actor=cast.owner, poll=poll, book=cast.books[2])

    poll = to_voting(poll)
    dune, emma, ulysses = poll.nominations.order_by("pk")
    page = client.get(poll.get_absolute_url())
    assert "Your ballot" in page.text and "1st choice" in page.text
    repeat = client.post(
        reverse("clubs:poll_vote", args=[cast.club.slug, poll.pk]),
        {f"rank_{dune.pk}": "1", f"rank_{emma.pk}": "1"},
        headers=HTMX,
    )
    assert repeat.status_code == 422 and "two books share one" in repeat.text
    ok = client.post(
        reverse("clubs:poll_vote", args=[cast.club.slug, poll.pk]),
        {f"rank_{dune.pk}": "1", f"rank_{ulysses.pk}": "2"},
    )
    assert ok.status_code == 302
    services.ballot_cast(voter=cast.other_member, poll=poll, ranking=[emma.pk, dune.pk])
    services.ballot_cast(voter=cast.owner, poll=poll, ranking=[ulysses.pk, dune.pk])
    page = client.get(poll.get_absolute_url())
    assert "Running count" not in page.text and "The winner is" not in page.text

    poll = to_ended(poll)
    assert services.poll_close(poll_id=poll.pk) is True
    assert services.poll_close(poll_id=poll.pk) is False
    poll.refresh_from_db()
    assert poll.winner == dune
    page = client.get(poll.get_absolute_url())
    assert "The winner is" in page.text and "Round 2" in page.text

    client.force_login(cast.owner)
    page = client.get(poll.get_absolute_url())
    assert "Schedule “Dune” as the next meeting" in page.text
    response = client.post(
        reverse("clubs:poll_schedule", args=[cast.club.slug, poll.pk]),
        {"starts_at": local(days=30), "duration_minutes": "120", "place": "Café Livro"},
    )
    meeting = Meeting.objects.get(from_poll=poll)
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.book == cast.books[0] and meeting.target_page == 300
    page = client.get(poll.get_absolute_url())
    assert "Scheduled as" in page.text
    assert Ballot.objects.count() == 3 and Nomination.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nominations_close_at": "", "voting_closes_at": ""}, "When do nominations close?"),
        ({"nominations_close_at": "yesterday", "voting_closes_at": ""}, "Enter the date and time"),
        (
            {"nominations_close_at": "local:3", "voting_closes_at": "local:2"},
            "Voting must close after the nominations close.",
        ),
        ({"nominations_close_at": "local:-1", "voting_closes_at": "local:2"}, "must close in the future"),
        ({"max_nominations": "0"}, "at least 1 book"),
        ({"max_nominations": "eleven"}, "Enter a whole number."),
        ({"mode": "dictator"}, "Select a valid choice"),
    ],
)
def test_the_poll_form_explains_bad_input_and_opens_nothing(client, poll_cast, data, message):
    form = {
        "mode": "ranked",
        "nominations_by": "members",
        "max_nominations": "2",
        "nominations_close_at": local(days=1),
        "voting_closes_at": local(days=3),
    }
    for key, value in data.items():
        form[key] = local(days=int(value.split(":")[1])) if value.startswith("local:") else value
    client.force_login(poll_cast.owner)
    response = client.post(reverse("clubs:poll_create", args=[poll_cast.club.slug]), form, headers=HTMX)
    assert response.status_code == 422 and message in response.text
    assert not Poll.objects.exists()


def test_a_nomination_with_a_long_pitch_or_no_book_is_refused(client, poll_cast):
    poll = poll_cast.open_poll()
    client.force_login(poll_cast.member)
    url = reverse("clubs:poll_nominate", args=[poll_cast.club.slug, poll.pk])
    long_pitch = client.post(url, {"book": poll_cast.books[0].pk, "pitch": "x" * 141}, headers=HTMX)
    assert long_pitch.status_code == 422 and "at most 140 characters" in long_pitch.text
    no_book = client.post(url, {"book": "", "pitch": "Fine"}, headers=HTMX)
    assert no_book.status_code == 422 and "Choose a book." in no_book.text
    unknown = client.post(url, {"book": "99999999"})
    assert unknown.status_code == 302
    assert not Nomination.objects.exists()


def test_ranking_a_book_twice_or_out_of_range_is_refused(client, poll_cast):
    poll = poll_cast.open_poll()
    nomination = services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])
    poll = to_voting(poll)
    client.force_login(poll_cast.member)
    url = reverse("clubs:poll_vote", args=[poll_cast.club.slug, poll.pk])
    nothing = client.post(url, {}, headers=HTMX)
    assert nothing.status_code == 422 and "Rank at least one book." in nothing.text
    out_of_range = client.post(url, {f"rank_{nomination.pk}": "7"}, headers=HTMX)
    assert out_of_range.status_code == 422 and "Choose a rank from 1 to 1." in out_of_range.text
    assert not Ballot.objects.exists()
    to_ended(poll)
    late = client.post(url, {f"rank_{nomination.pk}": "1"}, headers=HTMX)
    assert late.status_code == 409 and "Voting has closed" in late.text
    assert not Ballot.objects.exists()


def test_without_javascript_the_picker_search_shows_on_the_poll_page(client, poll_cast):
    poll = poll_cast.open_poll()
    client.force_login(poll_cast.member)
    response = client.get(
        reverse("clubs:poll_nominate", args=[poll_cast.club.slug, poll.pk]), {"book_q": "Ulysses"}
    )
    assert response.status_code == 302 and response["Location"].startswith(
        poll.get_absolute_url() + "?book_q=Ulysses"
    )
    page = client.get(response["Location"])
    assert f'name="book" value="{poll_cast.books[2].pk}"' in page.text
