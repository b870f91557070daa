"""The odds board counts only live stakes: a member who answers "not going" (page, htmx, API, or by
leaving the club) takes the stakes on them out of the pool at once, refunded with a ledger row and a
notification; and what the board shows is what settle() would pay now."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from bets import selectors, services
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from bets.payouts import BetLine, Outcome, settle
from meetings.models import Attendance, Rsvp
from social.models import Notification, NotificationKind
from tests.factories import add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _balance(user) -> int:
    return Account.objects.get(user=user).balance


def _decline(client, meeting, user, how: str):
    if how == "api":
        api = APIClient()
        api.force_authenticate(user)
        # Both spellings of the field: the API names it one way or the other, not both.
        body = {"status": Rsvp.DECLINED, "rsvp": Rsvp.DECLINED}
        response = api.put(f"/api/v1/meetings/{meeting.pk}/rsvp/", body, format="json")
        assert response.status_code == 200, response.content
        return
    client.force_login(user)
    headers = HX if how == "htmx" else {}
    response = client.post(f"/meetings/{meeting.pk}/rsvp/", {"rsvp": Rsvp.DECLINED}, headers=headers)
    assert response.status_code in (200, 302)


@pytest.fixture
def dora(cast, race):
    """A fourth member going to the race, with the welcome bonus."""
    dora = add_member(cast.club).user
    services.account_open(user=dora)
    Attendance.objects.create(meeting=race, user=dora, rsvp=Rsvp.GOING)
    return dora


@pytest.fixture
def book(cast, race, dora):
    """Four bets, two of them on the member (who will decline)."""
    return {
        "owner_on_member": services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30),
        "moderator_on_dora": services.bet_place(bettor=cast.moderator, meeting=race, horse=dora, amount=20),
        "dora_on_member": services.bet_place(bettor=dora, meeting=race, horse=cast.member, amount=15),
        "member_on_owner": services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=7),
    }


@pytest.mark.parametrize("how", ["page", "htmx", "api"])
def test_declining_refunds_the_stakes_on_me_at_once_and_tells_the_bettors(
    client, cast, race, dora, book, how, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _decline(client, race, cast.member, how)

    for name in ("owner_on_member", "dora_on_member"):
        bet = Bet.objects.get(pk=book[name].pk)
        assert (bet.status, bet.payout, bet.paid) == (BetStatus.REFUNDED, bet.amount, True)
        assert LedgerEntry.objects.get(bet=bet, reason=Reason.REFUND).amount == bet.amount
    assert _balance(cast.owner) == 100 and _balance(dora) == 100
    # The member's own bet, and the bet on Dora, still run.
    assert Bet.objects.get(pk=book["member_on_owner"].pk).status == BetStatus.OPEN
    assert Bet.objects.get(pk=book["moderator_on_dora"].pk).status == BetStatus.OPEN

    [told] = Notification.objects.filter(recipient=cast.owner, kind=NotificationKind.BET_REFUNDED)
    assert told.message.startswith("Bet refunded 30 on “")
    assert f"{cast.member.name} said they are not going" in told.message
    assert any(
        message.to == [cast.owner.email] and "Bet refunded 30" in message.subject for message in mail.outbox
    )
    assert not audit_points().problems


def test_the_board_counts_only_live_stakes_and_shows_what_settle_would_pay(client, cast, race, dora, book):
    _decline(client, race, cast.member, "htmx")

    board = selectors.odds_board(race)
    assert board.pool == 20 + 7
    rows = {row.horse.pk: row for row in board.horses}
    assert cast.member.pk not in rows  # not going, and no live stake on them
    assert (rows[dora.pk].staked, rows[dora.pk].bettors) == (20, 1)
    assert (rows[cast.owner.pk].staked, rows[cast.owner.pk].bettors) == (7, 1)

    # What settlement would pay now, if each horse alone finished in time: every bet ever placed,
    # with the decliner's stakes refunded as settle() does.
    lines = [
        BetLine(bet.pk, bet.horse_id, bet.amount, order)
        for order, bet in enumerate(
            Bet.objects.exclude(status=BetStatus.WITHDRAWN).order_by("placed_at", "pk")
        )
    ]
    for horse_id, row in rows.items():
        if not row.staked:
            continue
        outcome = {s.bet_id: s for s in settle(lines, winners={horse_id}, refunded_horses={cast.member.pk})}
        in_pool = [line for line in lines if line.horse_id != cast.member.pk]
        assert sum(outcome[line.bet_id].payout for line in in_pool) == board.pool
        for line in in_pool:
            if line.horse_id == horse_id:
                assert outcome[line.bet_id].outcome == Outcome.WON
                assert (
                    outcome[line.bet_id].payout
                    == int(line.stake * row.returns) + outcome[line.bet_id].remainder
                )
            else:
                assert outcome[line.bet_id].outcome == Outcome.LOST

    # The page and the API show the same numbers.
    client.force_login(cast.moderator)
    section = client.get(f"/meetings/{race.pk}/").text.split('id="bets"')[1].split("</section>")[0]
    assert "Pool: 27 points." in section
    assert f'data-horse="{cast.member.username}"' not in section
    assert "×1.35" in section.split(f'data-horse="{dora.username}"')[1].split("</tr>")[0]
    api = APIClient()
    api.force_authenticate(cast.moderator)
    body = api.get(f"/api/v1/meetings/{race.pk}/bets/").json()
    assert body["pool"] == 27
    assert {row["horse"]["username"]: (row["staked"], row["returns"]) for row in body["horses"]} == {
        dora.username: (20, 1.35),
        cast.owner.username: (7, 27 / 7),
        cast.moderator.username: (0, None),  # going, nobody bet on them yet
    }

    # And settlement pays exactly that: Dora finishes in time.
    Attendance.objects.filter(meeting=race, user=dora).update(
        finished=True, finished_at=timezone.now(), current_page=race.target_page
    )
    assert services.meeting_resolve_bets(meeting_id=race.pk, now=race.starts_at + timedelta(minutes=1))
    assert Bet.objects.get(pk=book["moderator_on_dora"].pk).payout == int(20 * rows[dora.pk].returns) == 27
    assert not audit_points().problems


def test_a_refunded_bettor_may_bet_again_on_someone_who_is_going(client, cast, race, dora, book):
    _decline(client, race, cast.member, "htmx")
    client.force_login(cast.owner)

    section = client.get(f"/meetings/{race.pk}/bets/", headers=HX).text
    assert "was <strong>refunded 30</strong>: they are not going. You can bet again." in section
    assert "Place bet" in section
    response = client.post(f"/meetings/{race.pk}/bets/", {"horse": dora.pk, "amount": "40"}, headers=HX)

    assert response.status_code == 200, response.text
    assert Bet.objects.get(bettor=cast.owner, status=BetStatus.OPEN).horse == dora
    assert _balance(cast.owner) == 60
    assert selectors.odds_board(race).pool == 20 + 7 + 40


def test_maybe_keeps_the_stakes_in_the_race(client, cast, race, dora, book):
    client.force_login(cast.member)
    client.post(f"/meetings/{race.pk}/rsvp/", {"rsvp": Rsvp.MAYBE}, headers=HX)

    assert Bet.objects.filter(horse=cast.member, status=BetStatus.OPEN).count() == 2
    board = selectors.odds_board(race)
    assert board.pool == 30 + 20 + 15 + 7
    section = client.get(f"/meetings/{race.pk}/bets/", headers=HX).text
    member_row = section.split(f'data-horse="{cast.member.username}"')[1].split("</tr>")[0]
    assert "Maybe · no new bets" in member_row and "refunded" not in member_row


def test_leaving_the_club_refunds_the_stakes_on_the_leaver_at_once(cast, race, dora, book):
    from clubs import services as club_services

    club_services.club_leave(user=cast.member, club=cast.club)

    assert _balance(cast.owner) == 100 and _balance(dora) == 100
    assert selectors.odds_board(race).pool == 20
    [told] = Notification.objects.filter(recipient=dora, kind=NotificationKind.BET_REFUNDED)
    assert told.message.startswith("Bet refunded 15 on “") and f"left {cast.club.name}" in told.message
    assert not audit_points().problems


def test_the_points_ledger_says_why_a_declined_horse_refunded_my_stake(client, cast, race, dora, book):
    _decline(client, race, cast.member, "htmx")
    client.force_login(cast.owner)

    text = client.get("/points/").text

    entry = LedgerEntry.objects.get(bet=book["owner_on_member"], reason=Reason.REFUND)
    row = text.split(f'id="entry-{entry.pk}"')[1].split("</tr>")[0]
    assert (
        f'Bet refunded: {escape(cast.member.name)} said they are not going<span class="bet-result">: refunded 30'
        in row
    )
