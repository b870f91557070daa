"""A club with a poll in each phase, and its cast: owner, moderator, two members, an outsider."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from clubs.models import Poll, Role
from clubs.polls import services
from tests.factories import BookFactory, ClubFactory, UserFactory, add_member


@dataclass
class PollCast:
    club: object
    owner: object
    moderator: object
    member: object
    other_member: object
    outsider: object
    books: list

    def open_poll(self, **options) -> Poll:
        now = timezone.now()
        return services.poll_open(
            actor=self.owner,
            club=self.club,
            nominations_close_at=options.pop("nominations_close_at", now + timedelta(days=2)),
            voting_closes_at=options.pop("voting_closes_at", now + timedelta(days=5)),
            **options,
        )


def to_voting(poll: Poll) -> Poll:
    """Move the poll's nomination deadline into the past (its voting still open)."""
    now = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(
        nominations_close_at=now - timedelta(minutes=1), voting_closes_at=now + timedelta(days=2)
    )
    poll.refresh_from_db()
    return poll


def to_ended(poll: Poll) -> Poll:
    """Move both deadlines into the past (votes not counted yet)."""
    now = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(
        nominations_close_at=now - timedelta(days=2), voting_closes_at=now - timedelta(minutes=1)
    )
    poll.refresh_from_db()
    return poll


@pytest.fixture
def poll_cast(db) -> PollCast:
    owner = UserFactory(username="olive")
    club = ClubFactory(owner=owner, name="Lisbon Readers", slug="lisbon-readers")
    moderator, member, other = (
        UserFactory(username="mo"),
        UserFactory(username="mia"),
        UserFactory(username="max"),
    )
    add_member(club, moderator, Role.MODERATOR)
    add_member(club, member)
    add_member(club, other)
    books = [BookFactory(title=title) for title in ("Dune", "Emma", "Ulysses", "Beloved")]
    return PollCast(club, owner, moderator, member, other, UserFactory(username="otto"), books)
