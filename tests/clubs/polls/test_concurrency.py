"""Polls under real concurrency (threads with their own connections, released at once): the close
runs once however many workers and sweeps race for it, and racing nominations keep the per-member
limit and one nomination per book. Marked `postgres` as tests/bets/test_concurrency.py explains."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clubs.models import Nomination, Poll
from clubs.polls import services
from social.models import Notification, NotificationKind
from tests.bets.test_concurrency import run_at_once
from tests.clubs.polls.conftest import to_ended, to_voting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_ten_closers_close_the_poll_once(poll_cast):
    poll = poll_cast.open_poll()
    nomination = services.nomination_add(actor=poll_cast.member, poll=poll, book=poll_cast.books[0])
    poll = to_voting(poll)
    services.ballot_cast(voter=poll_cast.member, poll=poll, ranking=[nomination.pk])
    to_ended(poll)
    results, refusals = run_at_once([lambda: services.poll_close(poll_id=poll.pk) for _ in range(10)])
    assert results.count(True) == 1 and refusals == []
    assert Poll.objects.get(pk=poll.pk).winner_id == nomination.pk
    assert Notification.objects.filter(kind=NotificationKind.POLL_RESULT).count() == 4


def test_racing_nominations_keep_the_limits(poll_cast):
    poll = poll_cast.open_poll(max_nominations=1, nominations_close_at=timezone.now() + timedelta(days=1))
    books = poll_cast.books
    jobs = [
        lambda book=book: services.nomination_add(actor=poll_cast.member, poll=poll, book=book)
        for book in books
    ]
    jobs += [
        lambda: services.nomination_add(actor=poll_cast.other_member, poll=poll, book=books[0])
        for _ in range(3)
    ]
    _results, refusals = run_at_once(jobs)
    assert Nomination.objects.filter(nominated_by=poll_cast.member).count() == 1
    assert Nomination.objects.filter(book=books[0]).count() <= 1
    assert len(refusals) == len(jobs) - Nomination.objects.count()
