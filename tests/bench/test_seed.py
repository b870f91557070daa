"""bench/seed.py: the benchmark's data scale with --scale and keep every points invariant."""

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from bench.seed import BENCH_CLUB, MEMBER_CLUBS, RACE_BETTORS, counts_for, seed
from bets.audit import audit_points
from bets.models import Bet, BetStatus
from clubs.models import Membership, Role
from meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from social.models import FriendRequest, Friendship, Notification

pytestmark = pytest.mark.django_db

EXACT = ["users", "clubs", "meetings", "books", "friendships", "notifications"]


def test_counts_scale_with_the_factor_and_the_points_stay_consistent():
    small = seed(0.006).counts
    assert small == {
        **counts_for(0.006),
        "attendances": small["attendances"],
        "ledger_rows": small["ledger_rows"],
    }
    report = audit_points()
    assert report.problems == []
    assert report.entries == small["ledger_rows"]
    assert report.open_stakes > 0  # the coming meetings have open bets


def test_twice_the_scale_gives_twice_the_rows():
    small = counts_for(0.006)
    data = seed(0.012)
    for name in EXACT:
        assert data.counts[name] == 2 * small[name], name
    # Attendances and the ledger are drawn at random around their targets.
    assert data.counts["attendances"] == pytest.approx(2 * small["attendances"], rel=0.2)
    assert data.counts["ledger_rows"] == pytest.approx(2 * small["ledger_rows"], rel=0.2)
    assert audit_points().problems == []


def test_the_bench_member_has_every_page_to_show():
    data = seed(0.006)
    member = authenticate(username=data.member_username, password=data.member_password)
    assert member is not None and member.pk == data.member_id
    roles = dict(Membership.objects.filter(user=member).values_list("club__slug", "role"))
    assert len(roles) == MEMBER_CLUBS and roles[BENCH_CLUB] == Role.OWNER
    meeting = Meeting.objects.get(pk=data.meeting_id)
    assert meeting.club.slug == data.club_slug == BENCH_CLUB
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > timezone.now()
    going = Attendance.objects.filter(meeting=meeting, rsvp=Rsvp.GOING)
    assert going.filter(user=member, current_page__gt=0).exists() and going.count() >= RACE_BETTORS
    bets = Bet.objects.filter(meeting=meeting, status=BetStatus.OPEN)
    assert bets.count() >= RACE_BETTORS - 2 and bets.filter(bettor=member).exists()
    assert Friendship.objects.of(member).filter(user_high__username=data.friend_username).exists() or (
        Friendship.objects.of(member).filter(user_low__username=data.friend_username).exists()
    )
    assert FriendRequest.objects.filter(to_user=member, status="pending").exists()
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert data.book_id == meeting.book_id
