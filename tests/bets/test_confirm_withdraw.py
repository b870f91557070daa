"""Withdrawing a bet asks first: without JavaScript on a page ("Withdraw your bet?"), with it in a dialog."""

import pytest

from bets import services
from bets.models import Account, Bet, BetStatus
from clubs.models import Club, Visibility
from tests.confirm_pages import confirmation, form_with_button
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _withdraw_url(meeting) -> str:
    return f"/meetings/{meeting.pk}/bets/withdraw/"


def _open_bets() -> int:
    return Bet.objects.filter(status=BetStatus.OPEN).count()


def test_withdrawing_without_javascript_asks_first_then_withdraws(client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    client.force_login(cast.member)
    form = form_with_button(client.get(race.get_absolute_url()).text, "Withdraw my bet")
    assert form.method == "get" and form.action == _withdraw_url(race)
    assert form.fields == {"bet": str(bet.pk), "version": str(bet.version)}
    assert f'data-hx-confirm="Withdraw your bet of 30 points on {cast.owner.name}?"' in form.attributes

    asked = client.get(form.action, form.fields)

    assert asked.status_code == 200
    page = confirmation(asked)
    assert page.question == "Withdraw your bet?"
    assert f"Your 30 points on {cast.owner.name} come back to your balance." in asked.text
    assert page.fields == {"bet": str(bet.pk), "version": str(bet.version)}
    assert _open_bets() == 1 and Account.objects.get(user=cast.member).balance == 70

    done = client.post(page.action, page.fields, follow=True)

    assert _open_bets() == 0
    assert Account.objects.get(user=cast.member).balance == 100
    assert "Bet withdrawn: 30 points are back in your balance." in done.text


def test_cancelling_the_withdraw_page_keeps_the_bet(client, cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    client.force_login(cast.member)
    page = confirmation(client.get(_withdraw_url(race)))
    assert page.cancel_url == f"{race.get_absolute_url()}#bets"
    assert client.get(race.get_absolute_url()).status_code == 200
    assert _open_bets() == 1


def test_a_stale_page_confirmed_later_is_refused_with_the_current_bet(client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    client.force_login(cast.member)
    page = confirmation(client.get(_withdraw_url(race), {"bet": bet.pk, "version": bet.version}))
    services.bet_change(
        bettor=cast.member, bet=bet, horse=cast.moderator, amount=20, expected_version=bet.version
    )

    response = client.post(page.action, page.fields)

    assert response.status_code == 409
    assert "Your bet changed in another tab or device." in response.text
    assert _open_bets() == 1


def test_the_withdraw_page_says_so_when_there_is_no_bet(client, cast, race):
    client.force_login(cast.member)
    response = client.get(_withdraw_url(race))
    assert response.status_code == 409
    assert "You have no open bet on this meeting to withdraw." in response.text
    assert 'id="confirm-action"' not in response.text


# Everyone going has a bet; the requester and the outsider are no members.
WITHDRAW_PAGE = {
    "owner": 200,
    "moderator": 200,
    "member": 200,
    "requester": 403,
    "outsider": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_the_withdraw_page(client, cast, race, role):
    for bettor in (cast.owner, cast.moderator, cast.member):
        services.bet_place(bettor=bettor, meeting=race, horse=cast.owner, amount=10)
    user = cast.user_for(role)
    if user is not None:
        client.force_login(user)
    response = client.get(_withdraw_url(race))
    assert response.status_code == WITHDRAW_PAGE[role]
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    assert _open_bets() == 3


def test_the_withdraw_page_of_a_private_club_is_404_for_outsiders(client, cast, race):
    Club.objects.filter(pk=cast.club.pk).update(visibility=Visibility.PRIVATE)
    client.force_login(cast.outsider)
    assert client.get(_withdraw_url(race)).status_code == 404


def test_withdrawing_with_htmx_needs_no_second_step(client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    client.force_login(cast.member)
    response = client.post(_withdraw_url(race), {"bet": bet.pk, "version": bet.version}, headers=HX)
    assert response.status_code == 200 and _open_bets() == 0
