"""The bets API: the odds board, placing, changing and withdrawing, and every bet after the close.
Bad input gets a clear JSON error and leaves no ledger row."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bets import services
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry
from clubs.models import Visibility
from meetings.models import Attendance, Meeting, Rsvp
from tests.factories import ClubFactory, MeetingFactory, add_member

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(meeting) -> str:
    return f"/api/v1/meetings/{meeting.pk}/bets/"


def balance(user) -> int:
    return Account.objects.get(user=user).balance


def if_match(bet) -> dict:
    """The bet's ETag as If-Match: changes and withdrawals name the version they saw."""
    bet.refresh_from_db()
    return {"If-Match": f'W/"{bet.version}"'}


def start(meeting, minutes_ago=1):
    """Move the meeting's start into the past (the model's save keeps ends_at consistent)."""
    meeting.starts_at = timezone.now() - timedelta(minutes=minutes_ago)
    meeting.save(update_fields=["starts_at"])


# The odds board -------------------------------------------------------------------------------------


def test_the_odds_board_shows_stakes_bettors_and_returns_per_horse(cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.member, amount=10)
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=20)

    response = client_for(cast.member).get(url(race))

    assert response.status_code == 200
    body = response.json()
    assert body["pool"] == 60 and body["closed"] is False and body["bets"] is None
    horses = {row["horse"]["username"]: row for row in body["horses"]}
    assert horses[cast.member.username] | {"horse": None} == {
        "horse": None,
        "going": True,
        "staked": 40,
        "bettors": 2,
        "returns": 1.5,
        "finished_in_time": False,
    }
    assert horses[cast.owner.username]["returns"] == 3.0
    assert horses[cast.moderator.username]["staked"] == 0
    assert horses[cast.moderator.username]["returns"] is None
    assert body["my_bet"]["horse"]["username"] == cast.owner.username
    assert body["my_bet"]["amount"] == 20
    assert body["my_balance"] == 80


def test_anonymous_visitors_see_a_public_meetings_odds_but_no_bet_of_their_own(cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    body = client_for(None).get(url(race)).json()
    assert body["pool"] == 30
    assert body["my_bet"] is None and body["my_balance"] is None and body["bets"] is None


def test_a_private_clubs_bets_are_404_for_outsiders(cast, race):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    for user in (cast.outsider, None):
        response = client_for(user).get(url(race))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    response = client_for(cast.outsider).post(url(race), {"horse": cast.member.username, "amount": 5})
    assert response.status_code == 404
    assert client_for(cast.member).get(url(race)).status_code == 200


def test_after_the_start_everyone_who_can_see_the_meeting_sees_every_bet(cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.member, amount=10)
    withdrawn = services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.owner, amount=5)
    services.bet_withdraw(bettor=cast.moderator, bet=withdrawn)
    start(race)

    body = client_for(cast.outsider).get(url(race)).json()

    assert body["closed"] is True
    assert [
        (b["bettor"]["username"], b["horse"]["username"], b["amount"], b["status"]) for b in body["bets"]
    ] == [
        (cast.owner.username, cast.member.username, 30, "open"),
        (cast.member.username, cast.member.username, 10, "open"),
    ]


def test_after_resolution_every_bet_shows_its_payout(cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.owner, amount=10)
    Attendance.objects.filter(meeting=race, user=cast.member).update(
        finished=True, finished_at=timezone.now() - timedelta(minutes=10)
    )
    start(race)
    services.meeting_resolve_bets(meeting_id=race.pk)

    body = client_for(cast.member).get(url(race)).json()

    assert body["resolved_at"] is not None
    assert {(b["bettor"]["username"], b["status"], b["payout"], b["paid"]) for b in body["bets"]} == {
        (cast.owner.username, "won", 40, True),
        (cast.moderator.username, "lost", 0, True),
    }


def test_the_odds_board_costs_the_same_queries_with_more_bets(cast, race, django_assert_max_num_queries):
    for user in (cast.owner, cast.moderator, cast.member):
        services.bet_place(bettor=user, meeting=race, horse=cast.member, amount=5)
    start(race)
    client = client_for(cast.member)
    with django_assert_max_num_queries(9):
        assert client.get(url(race)).status_code == 200


# Placing --------------------------------------------------------------------------------------------


def test_placing_a_bet_takes_the_stake_and_answers_201(cast, race):
    response = client_for(cast.member).post(
        url(race), {"horse": cast.owner.username, "amount": 25}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["horse"]["username"], body["amount"], body["status"], body["paid"]) == (
        cast.owner.username,
        25,
        "open",
        False,
    )
    assert balance(cast.member) == 75
    assert Bet.objects.get().pk == body["id"]


def test_the_horse_may_be_given_in_any_letter_case_and_as_form_data(cast, race):
    response = client_for(cast.member).post(
        url(race),
        f"horse={cast.owner.username.upper()}&amount=7",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    assert balance(cast.member) == 93


def test_anonymous_bets_are_401(cast, race):
    response = client_for(None).post(url(race), {"horse": cast.owner.username, "amount": 5}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


BAD_AMOUNTS = [
    (0, "invalid_amount", "at least 1"),
    (-5, "invalid_amount", "at least 1"),
    (101, "insufficient_points", "You have 100 points"),
    (10**9, "invalid_amount", "capped"),
    (10**40, "invalid_amount", "capped"),
    (2.5, "invalid", "whole number"),
    (10.0, "invalid", "whole number"),
    ("ten", "invalid", "whole number"),
    ("", "invalid", "whole number"),
    (True, "invalid", "whole number"),
    (None, "invalid", "amount"),
    ([5], "invalid", "whole number"),
    ({"points": 5}, "invalid", "whole number"),
]


@pytest.mark.parametrize(("amount", "code", "message"), BAD_AMOUNTS)
def test_bad_amounts_get_a_clear_error_and_no_ledger_row(cast, race, amount, code, message):
    entries = LedgerEntry.objects.count()
    response = client_for(cast.member).post(
        url(race), {"horse": cast.owner.username, "amount": amount}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert message in response.json()["detail"]
    assert LedgerEntry.objects.count() == entries
    assert not Bet.objects.exists()


def refused(response, status: int, code: str, entries: int):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert LedgerEntry.objects.count() == entries


def test_betting_after_the_start_is_409(cast, race):
    start(race)
    entries = LedgerEntry.objects.count()
    response = client_for(cast.member).post(
        url(race), {"horse": cast.owner.username, "amount": 5}, format="json"
    )
    refused(response, 409, "bets_closed", entries)


def test_betting_on_a_cancelled_meeting_is_409(cast, race):
    Meeting.objects.filter(pk=race.pk).update(status="cancelled")
    entries = LedgerEntry.objects.count()
    response = client_for(cast.member).post(
        url(race), {"horse": cast.owner.username, "amount": 5}, format="json"
    )
    refused(response, 409, "bets_closed", entries)


def test_betting_on_a_non_attendee_is_400(cast, race):
    entries = LedgerEntry.objects.count()
    client = client_for(cast.member)
    refused(
        client.post(url(race), {"horse": cast.outsider.username, "amount": 5}, format="json"),
        400,
        "horse_not_going",
        entries,
    )
    refused(
        client.post(url(race), {"horse": "nobody-at-all", "amount": 5}, format="json"),
        400,
        "unknown_horse",
        entries,
    )
    refused(client.post(url(race), {"horse": "", "amount": 5}, format="json"), 400, "invalid", entries)
    refused(client.post(url(race), {"amount": 5}, format="json"), 400, "invalid", entries)


def test_a_member_who_is_not_going_cannot_bet(cast, race):
    Attendance.objects.filter(meeting=race, user=cast.member).update(rsvp=Rsvp.DECLINED)
    entries = LedgerEntry.objects.count()
    response = client_for(cast.member).post(
        url(race), {"horse": cast.owner.username, "amount": 5}, format="json"
    )
    refused(response, 403, "not_going", entries)


def test_betting_twice_is_409_and_the_first_bet_stands(cast, race):
    client = client_for(cast.member)
    assert (
        client.post(url(race), {"horse": cast.owner.username, "amount": 5}, format="json").status_code == 201
    )
    entries = LedgerEntry.objects.count()
    response = client.post(url(race), {"horse": cast.moderator.username, "amount": 5}, format="json")
    refused(response, 409, "already_bet", entries)
    assert balance(cast.member) == 95


def test_betting_on_a_meeting_of_another_club_is_refused(cast, race):
    other_club = ClubFactory()
    other = MeetingFactory(club=other_club)
    stranger = add_member(other_club).user
    Attendance.objects.create(meeting=other, user=stranger, rsvp=Rsvp.GOING)
    entries = LedgerEntry.objects.count()
    response = client_for(cast.member).post(
        url(other), {"horse": stranger.username, "amount": 5}, format="json"
    )
    refused(response, 403, "not_going", entries)


def test_a_json_list_or_garbage_body_is_400(cast, race):
    client = client_for(cast.member)
    entries = LedgerEntry.objects.count()
    refused(client.post(url(race), [1, 2], format="json"), 400, "invalid", entries)
    response = client.post(url(race), "{not json", content_type="application/json")
    refused(response, 400, "parse_error", entries)


def test_an_unknown_meeting_is_404():
    response = client_for(None).get("/api/v1/meetings/999999/bets/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Changing and withdrawing ---------------------------------------------------------------------------


@pytest.fixture
def bet(cast, race):
    return services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)


def test_the_bettor_changes_horse_and_amount_and_only_the_difference_moves(cast, bet):
    client = client_for(cast.member)
    response = client.patch(
        f"/api/v1/bets/{bet.pk}/",
        {"amount": 50, "horse": cast.moderator.username},
        format="json",
        headers=if_match(bet),
    )
    assert response.status_code == 200, response.content
    assert (response.json()["amount"], response.json()["horse"]["username"]) == (50, cast.moderator.username)
    assert balance(cast.member) == 50
    response = client.patch(
        f"/api/v1/bets/{bet.pk}/", {"amount": 10}, format="json", headers={"If-Match": response["ETag"]}
    )
    assert response.json()["amount"] == 10
    assert balance(cast.member) == 90


def test_the_bettor_withdraws_and_gets_the_whole_stake_back(cast, bet):
    response = client_for(cast.member).delete(f"/api/v1/bets/{bet.pk}/", headers=if_match(bet))
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert balance(cast.member) == 100
    response = client_for(cast.member).delete(f"/api/v1/bets/{bet.pk}/", headers=if_match(bet))
    assert response.status_code == 409 and response.json()["code"] == "bet_not_open"
    assert not audit_points().problems


@pytest.mark.parametrize("who", ["owner", "moderator", "outsider"])
def test_other_peoples_bets_are_404(cast, bet, who):
    client = client_for(getattr(cast, who))
    entries = LedgerEntry.objects.count()
    for response in (
        client.get(f"/api/v1/bets/{bet.pk}/"),
        client.patch(f"/api/v1/bets/{bet.pk}/", {"amount": 1}, format="json"),
        client.delete(f"/api/v1/bets/{bet.pk}/"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert LedgerEntry.objects.count() == entries
    assert Bet.objects.get().amount == 30


def test_anonymous_bet_requests_are_401(bet):
    for response in (
        client_for(None).get(f"/api/v1/bets/{bet.pk}/"),
        client_for(None).patch(f"/api/v1/bets/{bet.pk}/", {"amount": 1}, format="json"),
        client_for(None).delete(f"/api/v1/bets/{bet.pk}/"),
    ):
        assert response.status_code == 401


def test_changes_after_the_start_are_409(cast, race, bet):
    start(race)
    client = client_for(cast.member)
    entries = LedgerEntry.objects.count()
    refused(
        client.patch(f"/api/v1/bets/{bet.pk}/", {"amount": 10}, format="json", headers=if_match(bet)),
        409,
        "bets_closed",
        entries,
    )
    refused(client.delete(f"/api/v1/bets/{bet.pk}/", headers=if_match(bet)), 409, "bets_closed", entries)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"amount": 0}, 400, "invalid_amount"),
        ({"amount": -3}, 400, "invalid_amount"),
        ({"amount": 131}, 400, "insufficient_points"),
        ({"amount": 1.5}, 400, "invalid"),
        ({"horse": "nobody-at-all"}, 400, "unknown_horse"),
    ],
)
def test_bad_changes_are_refused_and_leave_the_bet_as_it_was(cast, bet, change, status, code):
    entries = LedgerEntry.objects.count()
    response = client_for(cast.member).patch(
        f"/api/v1/bets/{bet.pk}/", change, format="json", headers=if_match(bet)
    )
    refused(response, status, code, entries)
    assert Bet.objects.get().amount == 30 and Bet.objects.get().status == BetStatus.OPEN
    assert balance(cast.member) == 70


def test_changing_to_a_horse_who_is_not_going_is_refused(cast, bet):
    entries = LedgerEntry.objects.count()
    response = client_for(cast.member).patch(
        f"/api/v1/bets/{bet.pk}/", {"horse": cast.outsider.username}, format="json", headers=if_match(bet)
    )
    refused(response, 400, "horse_not_going", entries)
    assert Bet.objects.get().horse == cast.owner
