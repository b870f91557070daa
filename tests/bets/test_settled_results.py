"""Once settled, the bets section shows the result, not the old odds: who finished in time, the pool,
each bet's stake, payout and net result, in the same plain words on the page, the points ledger, the
notification, its email and the API ("won 27 (stake 20, +7)", "lost 10", "refunded 10"); the point
the rounding left over is named where it landed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from bets import services
from bets.models import Bet
from bets.payouts import BetLine, settle
from meetings.models import Attendance
from social.models import Notification

pytestmark = pytest.mark.django_db


def _section(client, meeting) -> str:
    return client.get(f"/meetings/{meeting.pk}/").text.split('id="bets"')[1].split("</section>")[0]


def _row(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"')[1].split("</tr>")[0]


@pytest.fixture
def settled(cast, race, django_capture_on_commit_callbacks):
    """Owner 20 and moderator 10 on the member, the member 10 on the owner; the member finishes in time.
    Pool 40 over 30 winning stakes: 26 + 13 = 39, so the one point left goes to the largest stake."""
    bets = {
        "owner": services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=20),
        "moderator": services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.member, amount=10),
        "member": services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10),
    }
    Attendance.objects.filter(meeting=race, user=cast.member).update(
        finished=True, finished_at=race.starts_at - timedelta(hours=1), current_page=race.target_page
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_resolve_bets(meeting_id=race.pk, now=race.starts_at + timedelta(minutes=1))
    return {name: Bet.objects.get(pk=bet.pk) for name, bet in bets.items()}


def test_settle_says_where_the_rounding_remainder_went():
    lines = [BetLine(1, 7, 20, 0), BetLine(2, 7, 10, 1), BetLine(3, 8, 10, 2)]
    by_id = {s.bet_id: s for s in settle(lines, winners={7})}
    assert (by_id[1].payout, by_id[1].remainder) == (27, 1)
    assert (by_id[2].payout, by_id[2].remainder) == (13, 0)
    assert (by_id[3].payout, by_id[3].remainder) == (0, 0)


def test_the_settled_board_shows_the_result_not_the_odds(client, cast, race, settled):
    client.force_login(cast.owner)
    section = _section(client, race)

    assert 'class="odds"' not in section and "1 pt returns" not in section and "×" not in section
    assert f"Finished in time:</strong> ✓ {cast.member.name}." in section
    assert "Pool: 40 points" in section
    owner_row = _row(section, f"bet-{settled['owner'].pk}")
    assert ">20<" in owner_row and ">27<" in owner_row
    assert "won 27 (stake 20, +7)" in owner_row and "+1 rounding remainder" in owner_row
    moderator_row = _row(section, f"bet-{settled['moderator'].pk}")
    assert "won 13 (stake 10, +3)" in moderator_row and "remainder" not in moderator_row
    assert "lost 10" in _row(section, f"bet-{settled['member'].pk}")
    assert "<strong>won 27 (stake 20, +7)</strong>, including the +1 rounding remainder." in section


def test_nobody_in_time_says_every_stake_was_refunded(client, cast, race):
    bet = services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=10)
    assert services.meeting_resolve_bets(meeting_id=race.pk, now=race.starts_at + timedelta(minutes=1))
    client.force_login(cast.owner)
    section = _section(client, race)
    assert "Nobody finished the book in time:</strong> every stake was refunded." in section
    assert "refunded 10" in _row(section, f"bet-{bet.pk}")
    ledger = client.get("/points/").text
    assert 'Bet refunded<span class="bet-result">: refunded 10</span>' in ledger


def test_the_points_ledger_says_gross_and_net(client, cast, settled):
    client.force_login(cast.owner)
    ledger = client.get("/points/").text
    assert 'Bet placed<span class="bet-result">: won 27 (stake 20, +7)</span>' in ledger
    assert 'Bet won<span class="bet-result">: won 27 (stake 20, +7) · +1 rounding remainder</span>' in ledger
    client.force_login(cast.member)
    assert 'Bet placed<span class="bet-result">: lost 10</span>' in client.get("/points/").text


def test_notifications_and_their_emails_say_gross_and_net(cast, race, settled):
    won = Notification.objects.get(recipient=cast.owner).message
    assert won.startswith("Bet won 27 (stake 20, +7), including the +1 rounding remainder on “")
    assert Notification.objects.get(recipient=cast.moderator).message.startswith(
        "Bet won 13 (stake 10, +3) on"
    )
    lost = Notification.objects.get(recipient=cast.member).message
    assert lost.startswith("Bet lost 10 on") and "did not finish in time" in lost
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[cast.owner.email].startswith("[Booky] Bet won 27 (stake 20, +7)")
    assert subjects[cast.member.email].startswith("[Booky] Bet lost 10")


def test_the_api_shows_payout_net_and_result(cast, race, settled):
    client = APIClient()
    client.force_authenticate(cast.owner)
    body = client.get(f"/api/v1/meetings/{race.pk}/bets/").json()
    assert body["pool"] == 40
    assert {row["horse"]["username"]: row["finished_in_time"] for row in body["horses"]}[cast.member.username]
    assert all(row["returns"] is None for row in body["horses"])
    by_id = {bet["id"]: bet for bet in body["bets"]}
    owner = by_id[settled["owner"].pk]
    assert (owner["amount"], owner["payout"], owner["net"], owner["payout_remainder"]) == (20, 27, 7, 1)
    assert owner["result"] == "won 27 (stake 20, +7)"
    assert by_id[settled["member"].pk]["result"] == "lost 10" and by_id[settled["member"].pk]["net"] == -10
    ledger = client.get("/api/v1/me/points/").json()["results"]
    assert ledger[0]["reason"] == "payout"
    assert ledger[0]["bet_result"] == "won 27 (stake 20, +7) · +1 rounding remainder"
    assert ledger[1]["bet_result"] == "won 27 (stake 20, +7)"  # the stake row


def test_before_settlement_the_finish_does_not_show_as_a_result(client, cast, race):
    Attendance.objects.filter(meeting=race, user=cast.member).update(
        finished=True, finished_at=timezone.now(), current_page=race.target_page
    )
    client.force_login(cast.owner)
    assert "Finished in time:" not in _section(client, race)


def test_the_settled_api_board_does_not_report_every_horse_as_declined(cast, race, settled):
    """`going` false means "declined" in the schema: after settlement it was false for every horse."""
    Attendance.objects.filter(meeting=race, user=cast.owner).update(rsvp="declined")
    client = APIClient()
    client.force_authenticate(cast.owner)
    body = client.get(f"/api/v1/meetings/{race.pk}/bets/").json()
    going = {row["horse"]["username"]: row["going"] for row in body["horses"]}
    assert going[cast.member.username] is True
    assert going[cast.owner.username] is False
