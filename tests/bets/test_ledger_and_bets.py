"""Points and bets through the services: nothing created, lost or paid twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from bets import services
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from booky.core.errors import Conflict, DomainError, NotAllowed
from meetings import services as meeting_services
from meetings.models import Attendance, Rsvp
from tests.factories import MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db


def balance(user) -> int:
    return Account.objects.get(user=user).balance


def test_opening_an_account_mints_the_welcome_bonus_once(user):
    services.account_open(user=user)
    services.account_open(user=user)
    assert balance(user) == 100
    assert list(LedgerEntry.objects.values_list("reason", "amount")) == [(Reason.SIGNUP, 100)]


def test_the_stake_leaves_the_balance_and_the_difference_moves_on_change(cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    assert balance(cast.member) == 70
    services.bet_change(bettor=cast.member, bet=bet, amount=50)
    assert balance(cast.member) == 50
    services.bet_change(bettor=cast.member, bet=bet, amount=20, horse=cast.moderator)
    assert balance(cast.member) == 80
    services.bet_withdraw(bettor=cast.member, bet=bet)
    assert balance(cast.member) == 100
    assert not audit_points().problems


@pytest.mark.parametrize("amount", [0, -5, 101, 10**9, "10", 2.5, True])
def test_bad_amounts_are_refused_without_a_ledger_row(cast, race, amount):
    entries = LedgerEntry.objects.count()
    with pytest.raises(DomainError):
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=amount)
    assert LedgerEntry.objects.count() == entries
    assert not Bet.objects.exists()


def test_betting_twice_is_refused(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    with pytest.raises(Conflict, match="already have a bet"):
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.moderator, amount=10)
    assert balance(cast.member) == 90


def test_the_database_refuses_a_second_active_bet(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bet.objects.create(meeting=race, bettor=cast.member, horse=cast.moderator, amount=5)


def test_betting_after_the_start_is_refused(cast, race):
    with pytest.raises(Conflict, match="closed"):
        services.bet_place(
            bettor=cast.member,
            meeting=race,
            horse=cast.owner,
            amount=10,
            now=race.starts_at + timedelta(seconds=1),
        )


def test_bets_only_on_going_attendees_by_going_attendees(cast, race):
    with pytest.raises(DomainError, match="not going"):
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.requester, amount=10)
    Attendance.objects.filter(meeting=race, user=cast.member).update(rsvp=Rsvp.MAYBE)
    with pytest.raises(NotAllowed, match="going"):
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    assert LedgerEntry.objects.filter(reason=Reason.STAKE).count() == 0


def test_a_meeting_of_another_club_is_not_a_horse_race_for_outsiders(cast, race):
    other = MeetingFactory()
    with pytest.raises(NotAllowed):
        services.bet_place(bettor=cast.member, meeting=other, horse=cast.member, amount=10)


def _finish(user, meeting):
    meeting_services.attendance_progress(user=user, meeting=meeting, finished=True)


def test_resolution_pays_winners_from_the_pool_and_awards_finishers_once(cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=40)
    services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.moderator, amount=20)
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.member, amount=10)
    _finish(cast.member, race)
    after_start = race.starts_at + timedelta(minutes=1)

    assert services.meeting_resolve_bets(meeting_id=race.pk, now=after_start)
    assert not services.meeting_resolve_bets(meeting_id=race.pk, now=after_start)

    # Pool 70, W 50: owner floor(40*70/50)=56, member floor(10*70/50)=14; moderator loses 20.
    assert balance(cast.owner) == 100 - 40 + 56
    assert balance(cast.moderator) == 100 - 20
    assert balance(cast.member) == 100 - 10 + 14 + 25
    assert set(Bet.objects.values_list("status", "paid")) == {(BetStatus.WON, True), (BetStatus.LOST, True)}
    race.refresh_from_db()
    assert race.bets_resolved_at == after_start
    assert not audit_points().problems


def test_nothing_is_due_before_the_start(cast, race):
    assert not services.meeting_resolve_bets(meeting_id=race.pk)
    race.refresh_from_db()
    assert race.bets_resolved_at is None


def test_cancelling_refunds_every_stake_at_once(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    meeting_services.meeting_cancel(actor=cast.owner, meeting=race, reason="Flu")
    assert balance(cast.member) == 100
    assert Bet.objects.get().status == BetStatus.REFUNDED
    assert not audit_points().problems


def test_check_in_awards_ten_points_once(cast, race):
    after_start = race.starts_at + timedelta(minutes=5)
    meeting_services.meeting_check_in(
        actor=cast.owner, meeting=race, usernames=[cast.member.username], now=after_start
    )
    meeting_services.meeting_check_in(
        actor=cast.owner, meeting=race, usernames=[cast.member.username], now=after_start
    )
    assert balance(cast.member) == 110


def test_ledger_rows_cannot_be_changed_or_deleted(user):
    services.account_open(user=user)
    entry = LedgerEntry.objects.get()
    entry.amount = 1_000_000
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.update(amount=5)


def test_moderator_adjustment_needs_a_reason(user, django_user_model):
    from django.contrib.auth.models import Permission

    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="add_ledgerentry"))
    moderator = django_user_model.objects.get(pk=moderator.pk)
    services.account_open(user=user)
    with pytest.raises(DomainError, match="Say why"):
        services.points_adjust(actor=moderator, user=user, amount=50, note="  ")
    services.points_adjust(actor=moderator, user=user, amount=50, note="Won the quiz")
    with pytest.raises(DomainError, match="Not enough points"):
        services.points_adjust(actor=moderator, user=user, amount=-1000, note="Oops")
    assert balance(user) == 150
    assert not audit_points().problems


def test_audit_names_a_drifting_account(cast, race, capsys):
    Account.objects.filter(user=cast.member).update(balance=500)
    with pytest.raises(Exception, match="problem"):
        call_command("audit_points")
    assert cast.member.username in capsys.readouterr().err


def test_a_club_with_bets_cannot_be_deleted_and_keeps_its_ledger(cast, race):
    from clubs.models import Club
    from clubs.services import club_delete

    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    with pytest.raises(Conflict, match="cannot be deleted"):
        club_delete(actor=cast.owner, club=cast.club)
    assert Club.objects.filter(pk=cast.club.pk).exists()
    assert not audit_points().problems


def test_deleting_a_club_with_bets_through_the_page_and_api_says_why(client, cast, race):
    from rest_framework.test import APIClient

    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    client.force_login(cast.owner)
    page = client.post(f"/clubs/{cast.club.slug}/delete/", {"confirm_name": cast.club.name})
    assert page.status_code in (200, 302, 409, 422)
    api = APIClient()
    api.force_authenticate(cast.owner)
    response = api.delete(f"/api/v1/clubs/{cast.club.slug}/")
    assert response.status_code == 409 and response.json()["code"] == "club_has_points_history"
    assert Bet.objects.count() == 1
