"""bets' receivers of the clubs events (bets/receivers.py): a member who leaves is released from the
club's coming races inside the leave's transaction, and a club with points history refuses deletion."""

import pytest

from bets import services
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from booky.core.errors import Conflict
from clubs import events
from clubs import services as club_services
from clubs.models import Club, Membership
from meetings.models import Attendance, Rsvp
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

POINTS_HISTORY = (
    "{name} cannot be deleted: points were bet or earned at its meetings, and the points history is kept "
    "for good. Cancel its upcoming meetings instead."
)


class Boom(Exception):
    pass


@pytest.fixture
def failing_after_bets():
    """A member_left receiver that fails after bets' own receiver has done its work; yields the bet
    statuses it saw."""
    seen = []

    def fail(sender, **kwargs):
        seen.append(set(Bet.objects.values_list("status", flat=True)))
        raise Boom("a later receiver failed")

    events.member_left.connect(fail, dispatch_uid="tests.bets.fail_after")
    yield seen
    events.member_left.disconnect(dispatch_uid="tests.bets.fail_after")


def balance(user) -> int:
    return Account.objects.get(user=user).balance


def test_member_left_withdraws_the_leavers_bets_and_refunds_the_stakes_on_them(cast, race):
    own = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    on_them = services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=20)
    Membership.objects.filter(club=cast.club, user=cast.member).delete()

    events.member_left.send(sender=Club, club=cast.club, user=cast.member)

    own.refresh_from_db()
    on_them.refresh_from_db()
    assert own.status == BetStatus.WITHDRAWN and on_them.status == BetStatus.REFUNDED
    assert balance(cast.member) == 100 and balance(cast.owner) == 100
    assert Attendance.objects.get(meeting=race, user=cast.member).rsvp == Rsvp.DECLINED
    assert not audit_points().problems


def test_the_refunds_roll_back_with_a_leave_that_fails(cast, race, failing_after_bets):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=20)
    ledger_rows = LedgerEntry.objects.count()

    with pytest.raises(Boom):
        club_services.club_leave(user=cast.member, club=cast.club)

    assert failing_after_bets == [{BetStatus.WITHDRAWN, BetStatus.REFUNDED}]  # bets had done its part
    assert Membership.objects.filter(club=cast.club, user=cast.member).exists()
    assert set(Bet.objects.values_list("status", flat=True)) == {BetStatus.OPEN}
    assert LedgerEntry.objects.count() == ledger_rows
    assert balance(cast.member) == 70 and balance(cast.owner) == 80
    assert Attendance.objects.get(meeting=race, user=cast.member).rsvp == Rsvp.GOING
    assert not audit_points().problems


def test_a_removal_that_fails_keeps_the_bets_too(cast, race, failing_after_bets):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    membership = Membership.objects.get(club=cast.club, user=cast.member)

    with pytest.raises(Boom):
        club_services.membership_remove(actor=cast.owner, membership=membership)

    assert failing_after_bets == [{BetStatus.WITHDRAWN}]
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert Bet.objects.get(bettor=cast.member).status == BetStatus.OPEN
    assert not LedgerEntry.objects.filter(reason=Reason.WITHDRAWAL).exists()


def test_club_deleting_is_vetoed_by_a_bet_with_the_reason(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    with pytest.raises(Conflict) as refusal:
        events.club_deleting.send(sender=Club, club=cast.club)
    assert refusal.value.message == POINTS_HISTORY.format(name=cast.club.name)
    assert refusal.value.code == "club_has_points_history"


def test_club_deleting_is_vetoed_by_points_earned_without_a_bet(cast, race):
    services.points_award_check_in(user=cast.member, meeting=race)
    assert not Bet.objects.exists()
    with pytest.raises(Conflict, match="cannot be deleted"):
        club_services.club_delete(actor=cast.owner, club=cast.club)
    assert Club.objects.filter(pk=cast.club.pk).exists()


def test_a_club_whose_meetings_never_had_points_is_deleted(cast):
    MeetingFactory(club=cast.club)
    events.club_deleting.send(sender=Club, club=cast.club)  # no veto
    club_services.club_delete(actor=cast.owner, club=cast.club)
    assert not Club.objects.filter(pk=cast.club.pk).exists()
