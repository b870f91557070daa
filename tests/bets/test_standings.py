"""The leaderboards read standings that bets.services keeps with every ledger row: after each kind of
posting they equal the ledger's sums, the audit finds any drift and `rebuild_standings` repairs it, and
the boards' query counts do not grow with the number of clubs."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bets import services
from bets.audit import audit_points
from bets.leaderboards import board_for, club_standings_of, leaderboard, rank_of
from bets.models import ClubMemberScore, ClubMemberScoreDay, ClubScore, ClubScoreDay, MemberScoreDay
from bets.standings import day_of, standings_problems, standings_rebuild
from clubs.services import club_leave
from meetings.models import Attendance, Rsvp
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def assert_standings_match_the_ledger():
    assert standings_problems() == []
    assert not audit_points().problems


def club_score(club) -> int | None:
    return ClubScore.objects.filter(club=club).values_list("points", flat=True).first()


def member_score(club, user) -> int | None:
    return ClubMemberScore.objects.filter(club=club, user=user).values_list("points", flat=True).first()


@pytest.fixture
def moderator():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="add_ledgerentry"))
    return type(staff).objects.get(pk=staff.pk)


def settle_with_finishers(meeting, finishers):
    start = timezone.now() - timedelta(minutes=1)
    Attendance.objects.filter(meeting=meeting, user__in=finishers).update(
        finished=True, current_page=meeting.target_page, finished_at=start - timedelta(hours=1)
    )
    meeting.starts_at = start
    meeting.save(update_fields=["starts_at"])
    assert services.meeting_resolve_bets(meeting_id=meeting.pk)


def test_the_welcome_bonus_counts_on_no_standing(cast):
    services.account_open(user=cast.member)

    assert not MemberScoreDay.objects.exists() and not ClubScore.objects.exists()
    assert_standings_match_the_ledger()


def test_an_adjustment_counts_in_the_global_day_row_only(cast, moderator):
    services.account_open(user=cast.member)
    services.points_adjust(actor=moderator, user=cast.member, amount=7, note="typo fixed")
    services.points_adjust(actor=moderator, user=cast.member, amount=-2, note="typo fixed")

    today = day_of(timezone.now())
    assert MemberScoreDay.objects.get(user=cast.member, day=today).points == 5
    assert not ClubScore.objects.exists()
    assert_standings_match_the_ledger()


def test_stakes_changes_and_withdrawals_count_against_the_club_until_they_come_back(cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    assert (club_score(cast.club), member_score(cast.club, cast.member)) == (-30, -30)

    bet = services.bet_change(bettor=cast.member, bet=bet, amount=50)
    assert (club_score(cast.club), member_score(cast.club, cast.member)) == (-50, -50)
    assert_standings_match_the_ledger()

    services.bet_withdraw(bettor=cast.member, bet=bet)
    assert (club_score(cast.club), member_score(cast.club, cast.member)) == (0, 0)
    # A row at 0 stays: the club has ledger rows, so it is on the clubs board (at 0), as before.
    assert ClubScoreDay.objects.get(club=cast.club).points == 0
    assert_standings_match_the_ledger()


def test_payouts_and_finish_awards_are_counted_once_when_a_meeting_settles(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.member, amount=20)

    settle_with_finishers(race, [cast.owner])

    # The pool (50) went to the member who bet on the owner; the owner earned the finishing award.
    assert member_score(cast.club, cast.member) == -30 + 50
    assert member_score(cast.club, cast.moderator) == -20
    assert member_score(cast.club, cast.owner) == 25
    assert club_score(cast.club) == 25
    assert_standings_match_the_ledger()


def test_refunds_give_the_club_its_points_back(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.member, amount=20)

    services.bets_refund_not_running(meeting=race, horse=cast.owner, why="The owner is not going")
    assert (club_score(cast.club), member_score(cast.club, cast.member)) == (-20, 0)
    services.meeting_refund_open_bets(meeting=race, why="The hosts moved the start earlier")

    assert club_score(cast.club) == 0
    assert_standings_match_the_ledger()


def test_check_in_awards_count_for_the_member_and_the_club(cast, race):
    services.points_award_check_ins(users=[cast.member, cast.owner], meeting=race)
    services.points_award_check_ins(users=[cast.member], meeting=race)  # once per member and meeting

    assert member_score(cast.club, cast.member) == 10
    assert club_score(cast.club) == 20
    assert_standings_match_the_ledger()


def test_a_member_who_leaves_keeps_counting_in_the_club_score_but_leaves_its_board(cast, race):
    services.points_award_check_ins(users=[cast.member, cast.owner], meeting=race)
    later = MeetingFactory(club=cast.club)
    for user in (cast.owner, cast.member):
        Attendance.objects.create(meeting=later, user=user, rsvp=Rsvp.GOING)
    services.bet_place(bettor=cast.member, meeting=later, horse=cast.owner, amount=15)
    services.bet_place(bettor=cast.owner, meeting=later, horse=cast.member, amount=5)

    club_leave(user=cast.member, club=cast.club)  # own bet withdrawn, the owner's stake on them refunded

    assert club_score(cast.club) == 20
    assert member_score(cast.club, cast.member) == 10
    board = board_for(f"club-{cast.club.slug}", "all", viewer=cast.owner)
    assert cast.member not in list(leaderboard(board))
    assert club_standings_of(cast.owner, board_for("clubs", "all", viewer=cast.owner))[0].points == 20
    assert_standings_match_the_ledger()


def test_a_drifted_standing_is_reported_and_rebuild_standings_repairs_it(cast, race):
    services.points_award_check_ins(users=[cast.member], meeting=race)
    ClubScore.objects.filter(club=cast.club).update(points=999)
    MemberScoreDay.objects.all().delete()

    problems = standings_problems()
    assert any("ClubScore (club" in problem and "999 points stored" in problem for problem in problems)
    assert any(problem.startswith("MemberScoreDay") for problem in problems)
    assert audit_points().problems == problems

    call_command("rebuild_standings")

    assert club_score(cast.club) == 10
    assert_standings_match_the_ledger()


def test_the_thirty_day_boards_count_whole_days_from_the_day_30_days_ago(cast, race):
    services.points_award_check_ins(users=[cast.member], meeting=race)
    now = timezone.now()
    old_day = day_of(now - timedelta(days=31))
    ClubScoreDay.objects.filter(club=cast.club).update(day=old_day)  # as if earned 31 days ago

    assert leaderboard(board_for("clubs", "30d", viewer=cast.member, now=now)).count() == 0
    assert leaderboard(board_for("clubs", "all", viewer=cast.member, now=now)).get().points == 10
    ClubScoreDay.objects.filter(club=cast.club).update(day=day_of(now - timedelta(days=30)))
    assert leaderboard(board_for("clubs", "30d", viewer=cast.member, now=now)).get().points == 10


def snapshot() -> dict:
    return {
        "clubs": sorted(ClubScore.objects.values_list("club", "points")),
        "club days": sorted(ClubScoreDay.objects.values_list("club", "day", "points")),
        "members": sorted(ClubMemberScore.objects.values_list("club", "user", "points")),
        "member days": sorted(ClubMemberScoreDay.objects.values_list("club", "user", "day", "points")),
        "global days": sorted(MemberScoreDay.objects.values_list("user", "day", "points")),
    }


def test_standings_rebuild_reproduces_what_the_services_kept(cast, race, moderator):
    services.points_award_check_ins(users=[cast.member, cast.owner], meeting=race)
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=12)
    services.points_adjust(actor=moderator, user=cast.owner, amount=3, note="bonus")
    kept = snapshot()
    assert all(kept.values())

    standings_rebuild()

    assert snapshot() == kept


def read_boards(viewer, club) -> int:
    with CaptureQueriesContext(connection) as queries:
        for scope in ("clubs", f"club-{club.slug}", "global", "friends"):
            for period in ("all", "30d"):
                board = board_for(scope, period, viewer=viewer)
                assert list(Paginator(leaderboard(board, viewer=viewer), 20).page(1))
                if board.ranks_clubs:
                    assert club_standings_of(viewer, board)
                else:
                    assert rank_of(viewer, board) is not None
    return len(queries)


def add_scoring_clubs(count: int, *, viewer) -> None:
    for _ in range(count):
        club = ClubFactory()
        add_member(club, viewer)
        services.points_award_check_ins(
            users=[viewer, club.memberships.get(role="owner").user], meeting=MeetingFactory(club=club)
        )


def test_the_boards_cost_the_same_queries_with_3_or_40_scoring_clubs():
    viewer = UserFactory()
    services.account_open(user=viewer)
    add_scoring_clubs(3, viewer=viewer)
    club = viewer.memberships.first().club

    few = read_boards(viewer, club)
    add_scoring_clubs(37, viewer=viewer)
    many = read_boards(viewer, club)

    assert few == many, (few, many)
    assert ClubScore.objects.count() == 40
