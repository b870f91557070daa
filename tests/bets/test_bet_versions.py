"""Bets use optimistic locking like progress: a change or withdrawal from a stale tab (an older
version of the bet) is refused with 409 and the bet as it is now; nothing moves. The API takes the
version as If-Match (the ETag it hands out) or a `version` field, and answers 428 without one."""

import pytest
from rest_framework.test import APIClient

from bets import services
from bets.models import Account, Bet, BetStatus, LedgerEntry

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _balance(user) -> int:
    return Account.objects.get(user=user).balance


@pytest.fixture
def stale_tab(cast, race):
    """The member's bet as a first tab showed it (version 1); a second tab then changed it to 50 on the
    moderator (version 2)."""
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    shown = {"bet": bet.pk, "version": bet.version}
    services.bet_change(bettor=cast.member, bet=bet, horse=cast.moderator, amount=50, expected_version=1)
    return shown


def _unchanged(cast, entries: int) -> None:
    bet = Bet.objects.get(bettor=cast.member)
    assert (bet.status, bet.amount, bet.horse_id, bet.version) == (BetStatus.OPEN, 50, cast.moderator.pk, 2)
    assert _balance(cast.member) == 50
    assert LedgerEntry.objects.count() == entries


def test_every_change_of_a_bet_bumps_its_version(cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    assert bet.version == 1
    bet = services.bet_change(bettor=cast.member, bet=bet, amount=40, expected_version=1)
    assert Bet.objects.get(pk=bet.pk).version == 2
    services.bet_change(bettor=cast.member, bet=bet, amount=40, expected_version=2)  # no change
    assert Bet.objects.get(pk=bet.pk).version == 2
    services.bet_withdraw(bettor=cast.member, bet=bet, expected_version=2)
    assert Bet.objects.get(pk=bet.pk).version == 3


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
@pytest.mark.parametrize("action", ["change", "withdraw"])
def test_a_stale_tab_gets_409_with_the_current_bet(client, cast, race, stale_tab, action, htmx):
    entries = LedgerEntry.objects.count()
    client.force_login(cast.member)
    data = dict(stale_tab)
    if action == "change":
        data.update(horse=cast.owner.pk, amount="10")

    response = client.post(f"/meetings/{race.pk}/bets/{action}/", data, headers=HX if htmx else {})

    assert response.status_code == 409
    assert ("<html" in response.text) is not htmx
    assert "Your bet changed in another tab or device." in response.text
    # The section shows the bet as it is now, and its forms carry the current version.
    assert f"<strong>50 points</strong> on <strong>{cast.moderator.name}</strong>" in response.text
    assert 'name="version" value="2"' in response.text
    _unchanged(cast, entries)


def test_a_form_without_its_version_is_treated_as_stale(client, cast, race, stale_tab):
    entries = LedgerEntry.objects.count()
    client.force_login(cast.member)
    for data in ({}, {"bet": stale_tab["bet"], "version": "٢"}, {"bet": stale_tab["bet"], "version": "x"}):
        response = client.post(f"/meetings/{race.pk}/bets/withdraw/", data, headers=HX)
        assert response.status_code == 409
        assert "Your bet changed in another tab or device." in response.text
    _unchanged(cast, entries)


def test_the_current_version_goes_through(client, cast, race, stale_tab):
    client.force_login(cast.member)
    response = client.post(
        f"/meetings/{race.pk}/bets/withdraw/", {"bet": stale_tab["bet"], "version": 2}, headers=HX
    )
    assert response.status_code == 200
    assert Bet.objects.get(bettor=cast.member).status == BetStatus.WITHDRAWN


# --- the API --------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_hands_out_the_version_as_etag(cast, race, stale_tab):
    response = _api(cast.member).get(f"/api/v1/bets/{stale_tab['bet']}/")
    assert response.status_code == 200
    assert response["ETag"] == 'W/"2"' and response.json()["version"] == 2
    board = _api(cast.member).get(f"/api/v1/meetings/{race.pk}/bets/").json()
    assert board["my_bet"]["version"] == 2


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_the_api_answers_428_without_a_version(cast, race, stale_tab, method):
    entries = LedgerEntry.objects.count()
    client = _api(cast.member)
    body = {"amount": 10} if method == "patch" else None
    response = getattr(client, method)(f"/api/v1/bets/{stale_tab['bet']}/", body, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "version_required" and "If-Match" in response.json()["detail"]
    _unchanged(cast, entries)


@pytest.mark.parametrize("how", ["if-match", "field"])
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_the_api_answers_409_with_the_current_bet_for_a_stale_version(cast, race, stale_tab, method, how):
    entries = LedgerEntry.objects.count()
    client = _api(cast.member)
    body = {"amount": 10} if method == "patch" else {}
    headers = {}
    if how == "if-match":
        headers["If-Match"] = 'W/"1"'
    else:
        body["version"] = 1
    response = getattr(client, method)(
        f"/api/v1/bets/{stale_tab['bet']}/", body, format="json", headers=headers
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert (body["current"]["amount"], body["current"]["version"]) == (50, 2)
    assert body["current"]["horse"]["username"] == cast.moderator.username
    assert response["ETag"] == 'W/"2"'
    _unchanged(cast, entries)


def test_the_api_changes_and_withdraws_with_the_current_version(cast, race, stale_tab):
    client = _api(cast.member)
    url = f"/api/v1/bets/{stale_tab['bet']}/"
    changed = client.patch(url, {"amount": 20, "version": 2}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 3 and changed["ETag"] == 'W/"3"'
    withdrawn = client.delete(url, headers={"If-Match": changed["ETag"]})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert _balance(cast.member) == 100
