"""Leaderboards: what counts as points in each scope and period, competition ranks, private clubs."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone

from bets import leaderboards, services
from bets.leaderboards import (
    UnknownLeaderboard,
    UnknownPeriod,
    board_for,
    club_standings_of,
    leaderboard,
    rank_of,
)
from bets.models import LedgerEntry
from bets.standings import standings_rebuild
from clubs.models import Visibility
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="add_ledgerentry"))
    return type(staff).objects.get(pk=staff.pk)


def grant(moderator, user, amount):
    services.account_open(user=user)
    if amount:
        services.points_adjust(actor=moderator, user=user, amount=amount, note="test")


def table(rows):
    return [(getattr(row, "username", None) or row.slug, row.rank, row.points) for row in rows]


def backdate(entries, days: int):
    # The ledger refuses updates; a test may move rows back in time through a plain QuerySet, and then
    # recount the standings that bets.services kept for the rows' original day.
    models.QuerySet(LedgerEntry).filter(pk__in=[e.pk for e in entries]).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    standings_rebuild()


def test_all_time_global_ranks_balances_with_shared_competition_ranks(moderator):
    ann, bob, cy, dee = (UserFactory(username=n) for n in ("ann", "bob", "cy", "dee"))
    grant(moderator, ann, 50)  # 150
    grant(moderator, bob, 20)  # 120
    grant(moderator, cy, 20)  # 120
    grant(moderator, dee, 0)  # 100
    board = board_for("global", "all", viewer=ann)

    rows = table(leaderboard(board))

    assert rows[:4] == [("ann", 1, 150), ("bob", 2, 120), ("cy", 2, 120), ("dee", 4, 100)]
    assert rank_of(cy, board).rank == 2
    assert rank_of(dee, board).rank == 4


def test_a_member_without_an_account_or_inactive_is_not_ranked(moderator):
    ghost = UserFactory()
    gone = UserFactory()
    grant(moderator, gone, 5)
    gone.is_active = False
    gone.save()
    board = board_for("global", "all", viewer=None)

    assert leaderboard(board).count() == 0
    assert rank_of(ghost, board) is None
    assert rank_of(gone, board) is None


def test_my_rank_is_known_when_i_am_off_the_first_page(moderator):
    users = [UserFactory() for _ in range(25)]
    for index, user in enumerate(users):
        grant(moderator, user, index + 1)
    last = users[0]
    board = board_for("global", "all", viewer=last)

    first_page = Paginator(leaderboard(board), 10).page(1)

    assert last not in list(first_page)
    assert rank_of(last, board).rank == 25
    assert rank_of(last, board).points == 101
    assert list(Paginator(leaderboard(board), 10).page(3))[-1].rank == 25


def test_thirty_days_counts_the_net_change_without_the_welcome_bonus(moderator):
    ann, bob, cy = UserFactory(username="ann"), UserFactory(username="bob"), UserFactory(username="cy")
    grant(moderator, ann, 0)
    grant(moderator, bob, 0)
    grant(moderator, cy, 0)
    old = services.points_adjust(actor=moderator, user=ann, amount=500, note="long ago")
    backdate([old], days=31)
    services.points_adjust(actor=moderator, user=ann, amount=5, note="recent")
    services.points_adjust(actor=moderator, user=bob, amount=30, note="recent")
    services.points_adjust(actor=moderator, user=bob, amount=-10, note="recent")

    board = board_for("global", "30d", viewer=cy)

    assert table(leaderboard(board)) == [("bob", 1, 20), ("ann", 2, 5)]
    assert rank_of(ann, board).points == 5
    assert rank_of(cy, board) is None  # only the welcome bonus in the window: not on the board
    assert table(leaderboard(board_for("global", "all", viewer=cy)))[0] == ("ann", 1, 605)


def test_a_club_board_counts_only_points_earned_in_that_clubs_meetings():
    club = ClubFactory(slug="owls")
    owner = club.memberships.get().user
    ann = add_member(club, UserFactory(username="ann")).user
    bob = add_member(club, UserFactory(username="bob")).user
    here, elsewhere = MeetingFactory(club=club), MeetingFactory()
    add_member(elsewhere.club, bob)
    services.points_award_check_in(user=ann, meeting=here)
    services.points_award_check_in(user=bob, meeting=elsewhere)

    board = board_for("club-owls", "all", viewer=ann)
    rows = table(leaderboard(board))

    assert rows[0] == ("ann", 1, 10)
    assert sorted(rows[1:]) == sorted([(owner.username, 2, 0), ("bob", 2, 0)])
    assert rank_of(bob, board).rank == 2
    assert rank_of(UserFactory(), board) is None  # not a member


def test_a_stake_counts_against_the_club_board_until_it_pays(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    board = board_for(f"club-{cast.club.slug}", "all", viewer=cast.member)

    assert rank_of(cast.member, board).points == -30
    assert table(leaderboard(board))[-1] == (cast.member.username, 3, -30)


def test_clubs_are_ranked_by_club_score_and_private_clubs_hide_from_outsiders():
    public = ClubFactory(slug="public-club")
    secret = ClubFactory(slug="secret-club", visibility=Visibility.PRIVATE)
    quiet = ClubFactory(slug="quiet-club")  # nothing earned: not listed
    insider = add_member(secret).user
    outsider = UserFactory()
    for club, members in ((public, 1), (secret, 2)):
        meeting = MeetingFactory(club=club)
        for _ in range(members):
            services.points_award_check_in(user=add_member(club).user, meeting=meeting)

    seen_by_insider = table(leaderboard(board_for("clubs", "all", viewer=insider), viewer=insider))
    seen_by_outsider = table(leaderboard(board_for("clubs", "all", viewer=outsider), viewer=outsider))
    seen_by_anonymous = table(leaderboard(board_for("clubs", "all", viewer=None), viewer=None))

    assert seen_by_insider == [("secret-club", 1, 20), ("public-club", 2, 10)]
    assert seen_by_outsider == seen_by_anonymous == [("public-club", 1, 10)]
    assert quiet.slug not in str(seen_by_insider)
    mine = club_standings_of(insider, board_for("clubs", "all", viewer=insider))
    assert [(s.subject.slug, s.rank, s.points) for s in mine] == [("secret-club", 1, 20)]
    with pytest.raises(UnknownLeaderboard):
        board_for("club-secret-club", "all", viewer=outsider)


def test_my_clubs_standings_use_competition_ranks():
    clubs = [ClubFactory(slug=f"c{n}") for n in range(4)]
    me = UserFactory()
    for club, checked_in in zip(clubs, (3, 2, 2, 1), strict=True):
        meeting = MeetingFactory(club=club)
        for _ in range(checked_in):
            services.points_award_check_in(user=add_member(club).user, meeting=meeting)
    add_member(clubs[2], me)
    add_member(clubs[3], me)

    mine = club_standings_of(me, board_for("clubs", "30d", viewer=me))

    assert [(s.subject.slug, s.rank, s.points) for s in mine] == [("c2", 2, 20), ("c3", 4, 10)]


@pytest.mark.parametrize(
    ("scope", "period", "error"),
    [
        ("everyone", "all", UnknownLeaderboard),
        ("club-", "all", UnknownLeaderboard),
        ("club-no-such-club", "all", UnknownLeaderboard),
        ("global", "7d", UnknownPeriod),
        ("global", "ALL", UnknownPeriod),
    ],
)
def test_unknown_scopes_and_periods_are_refused(scope, period, error):
    with pytest.raises(error):
        board_for(scope, period, viewer=None)


def test_the_period_defaults_to_all_time():
    assert board_for("global", None, viewer=None).period == "all"
    assert leaderboards.PERIOD_LABELS[board_for("global", "", viewer=None).period] == "All time"
