"""The meeting page's "Bets" section: the odds board, my bet form (place, change, withdraw), closing,
and the results once the bets are settled."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bets import services
from bets.models import Account, LedgerEntry, Reason
from clubs.models import Visibility
from meetings.models import Attendance, Meeting, Rsvp
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _page(meeting):
    return f"/meetings/{meeting.pk}/"


def _bets(meeting, action=""):
    return f"/meetings/{meeting.pk}/bets/{action}"


def _balance(user) -> int:
    return Account.objects.get(user=user).balance


def _ledger(user) -> list[tuple[str, int]]:
    return list(LedgerEntry.objects.filter(account__user=user).order_by("pk").values_list("reason", "amount"))


def _start(meeting, minutes_ago=5):
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=minutes_ago))
    meeting.refresh_from_db()


# --- what the section shows -----------------------------------------------------------------------


def test_meeting_page_shows_the_odds_board_my_balance_and_the_bet_form(client, cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.owner, amount=10)
    client.force_login(cast.member)

    response = client.get(_page(race))

    assert response.status_code == 200
    assert "<html" in response.text
    section = response.text.split('id="bets"')[1].split("</section>")[0]
    member_row = section.split(f'data-horse="{cast.member.username}"')[1].split("</tr>")[0]
    assert ">30<" in member_row and ">1<" in member_row and "×1.33" in member_row
    assert "×4" in section.split(f'data-horse="{cast.owner.username}"')[1].split("</tr>")[0]
    assert "Pool: 40 points." in section
    assert "Bets close" in section and "in 7 days" in section
    assert "Your balance:" in section and "100 points" in section
    assert 'name="horse"' in section and 'name="amount"' in section
    assert "Place bet" in section
    assert "style=" not in response.text


def test_bets_fragment_is_the_section_alone_and_refreshes_with_the_race(client, cast, race):
    client.force_login(cast.member)
    response = client.get(_bets(race), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="bets"')
    assert 'data-hx-trigger="race-refresh from:body"' in response.text
    assert f'data-hx-get="/meetings/{race.pk}/bets/"' in response.text


def test_bets_url_without_htmx_goes_to_the_meeting_section(client, cast, race):
    client.force_login(cast.member)
    response = client.get(_bets(race))
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{race.pk}/#bets"


def test_other_peoples_bets_stay_hidden_until_bets_close(client, cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    client.force_login(cast.member)
    assert "Every bet" not in client.get(_page(race)).text

    _start(race)
    response = client.get(_page(race))

    section = response.text.split('id="bets"')[1]
    assert "Every bet" in section
    assert "Closed at the start" in section
    assert f"{cast.owner.name}</th>" in section
    assert 'name="amount"' not in section


def test_settled_meeting_shows_each_payout_and_stops_refreshing(client, cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.owner, amount=10)
    Attendance.objects.filter(meeting=race, user=cast.member).update(
        finished=True, finished_at=timezone.now() - timedelta(hours=1), current_page=race.target_page
    )
    _start(race)
    assert services.meeting_resolve_bets(meeting_id=race.pk)
    client.force_login(cast.owner)

    response = client.get(_page(race))

    section = response.text.split('id="bets"')[1].split("</section>")[0]
    assert "Results" in section
    assert '<span class="badge owner">won 40 (stake 30, +10)</span>' in section
    assert '<span class="muted">lost 10</span>' in section
    assert "Your bet on " + cast.member.name + ": <strong>won 40 (stake 30, +10)</strong>" in section
    assert "race-refresh" not in section


# --- placing, changing, withdrawing ---------------------------------------------------------------


def test_placing_a_bet_swaps_the_section_and_takes_the_stake_from_the_balance(client, cast, race):
    client.force_login(cast.member)

    response = client.post(_bets(race), {"horse": cast.owner.pk, "amount": "30"}, headers=HX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert f"Bet placed: 30 points on {cast.owner.name}." in response.text
    assert "Change my bet" in response.text and "Withdraw my bet" in response.text
    assert "Pool: 30 points." in response.text
    assert _balance(cast.member) == 70
    assert _ledger(cast.member) == [(Reason.SIGNUP, 100), (Reason.STAKE, -30)]


def test_placing_a_bet_without_javascript_redirects_back_with_a_message(client, cast, race):
    client.force_login(cast.member)

    response = client.post(_bets(race), {"horse": cast.member.pk, "amount": "5"})

    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{race.pk}/#bets"
    page = client.get(response["Location"])
    assert f"Bet placed: 5 points on {cast.member.name}." in page.text
    assert _balance(cast.member) == 95


def test_changing_a_bet_moves_only_the_difference(client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    client.force_login(cast.member)

    response = client.post(
        _bets(race, "change/"),
        {"horse": cast.moderator.pk, "amount": "50", "bet": bet.pk, "version": bet.version},
        headers=HX,
    )

    assert response.status_code == 200
    assert f"Bet changed: 50 points on {cast.moderator.name}." in response.text
    assert _balance(cast.member) == 50
    assert _ledger(cast.member)[-1] == (Reason.STAKE_CHANGE, -20)


def test_withdrawing_a_bet_returns_the_whole_stake_and_offers_a_new_bet(client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    client.force_login(cast.member)

    response = client.post(_bets(race, "withdraw/"), {"bet": bet.pk, "version": bet.version}, headers=HX)

    assert response.status_code == 200
    assert "Bet withdrawn: 30 points are back in your balance." in response.text
    assert "Place bet" in response.text
    assert _balance(cast.member) == 100
    assert _ledger(cast.member)[-1] == (Reason.WITHDRAWAL, 30)


# --- bad input: clear errors, nothing changes -----------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Bet at least 1 point."),
        ("-5", "Bet at least 1 point."),
        ("101", "You have 100 points to bet; 101 is too many."),
        ("99999999999999999999", "Bets are capped at 1000000 points."),
        ("ten", "Enter a whole number of points, e.g. 10."),
        ("", "How many points do you bet?"),
    ],
)
def test_invalid_amount_is_refused_with_422_and_no_ledger_row(client, cast, race, amount, message):
    client.force_login(cast.member)

    response = client.post(_bets(race), {"horse": cast.owner.pk, "amount": amount}, headers=HX)

    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert _ledger(cast.member) == [(Reason.SIGNUP, 100)]


def test_betting_on_someone_who_is_not_going_is_refused(client, cast, race):
    not_going = add_member(cast.club).user
    client.force_login(cast.member)

    response = client.post(_bets(race), {"horse": not_going.pk, "amount": "10"}, headers=HX)

    assert response.status_code == 422
    assert "Pick someone who is going to this meeting." in response.text
    assert _balance(cast.member) == 100


def test_invalid_bet_without_javascript_shows_the_section_on_its_own_page(client, cast, race):
    client.force_login(cast.member)
    response = client.post(_bets(race), {"horse": cast.owner.pk, "amount": "0"})
    assert response.status_code == 422
    assert "<html" in response.text
    assert "Bet at least 1 point." in response.text
    assert "Back to the meeting" in response.text


def test_betting_twice_is_a_conflict(client, cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    client.force_login(cast.member)

    response = client.post(_bets(race), {"horse": cast.owner.pk, "amount": "10"}, headers=HX)

    assert response.status_code == 409
    assert "You already have a bet on this meeting: change it instead." in response.text
    assert _balance(cast.member) == 90


def test_betting_after_the_start_is_refused_with_a_message(client, cast, race):
    client.force_login(cast.member)
    _start(race)

    response = client.post(_bets(race), {"horse": cast.owner.pk, "amount": "10"}, headers=HX)

    assert response.status_code == 409
    assert "Bets closed when the meeting started." in response.text
    assert _ledger(cast.member) == [(Reason.SIGNUP, 100)]


def test_changing_or_withdrawing_after_the_start_is_refused(client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    client.force_login(cast.member)
    _start(race)
    shown = {"bet": bet.pk, "version": bet.version}

    changed = client.post(
        _bets(race, "change/"), {"horse": cast.owner.pk, "amount": "20", **shown}, headers=HX
    )
    withdrawn = client.post(_bets(race, "withdraw/"), shown, headers=HX)

    assert changed.status_code == withdrawn.status_code == 409
    assert "Bets closed when the meeting started." in changed.text
    assert "Bets closed when the meeting started." in withdrawn.text
    assert _balance(cast.member) == 90


def test_withdrawing_without_a_bet_says_so(client, cast, race):
    client.force_login(cast.member)
    response = client.post(_bets(race, "withdraw/"), headers=HX)
    assert response.status_code == 409
    assert "You have no bet on this meeting to withdraw." in response.text


def test_a_member_who_is_not_going_sees_why_and_cannot_bet(client, cast, race):
    maybe = add_member(cast.club).user
    services.account_open(user=maybe)
    Attendance.objects.create(meeting=race, user=maybe, rsvp=Rsvp.MAYBE)
    client.force_login(maybe)

    page = client.get(_page(race))
    response = client.post(_bets(race), {"horse": cast.owner.pk, "amount": "10"}, headers=HX)

    assert "Answer “Going” to bet." in page.text
    assert 'name="amount"' not in page.text.split('id="bets"')[1]
    assert response.status_code == 422
    assert "RSVP “going” to this meeting before you bet." in response.text
    assert _balance(maybe) == 100


# --- who may see and bet --------------------------------------------------------------------------


def test_outsider_of_a_public_club_sees_the_odds_but_cannot_bet(client, cast, race):
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=30)
    services.account_open(user=cast.outsider)
    client.force_login(cast.outsider)

    page = client.get(_page(race))
    response = client.post(_bets(race), {"horse": cast.member.pk, "amount": "10"})

    assert "Pool: 30 points." in page.text
    assert f"Only members of {cast.club.name} who are going can bet." in page.text
    assert response.status_code == 403
    assert _balance(cast.outsider) == 100


def test_private_club_bets_are_404_to_outsiders(client, cast, race):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    client.force_login(cast.outsider)
    assert client.get(_page(race)).status_code == 404
    assert client.get(_bets(race), headers=HX).status_code == 404
    assert client.post(_bets(race), {"horse": cast.member.pk, "amount": "10"}).status_code == 404
    assert client.post(_bets(race, "withdraw/")).status_code == 404


def test_anonymous_visitors_see_the_odds_and_posting_sends_them_to_log_in(client, cast, race):
    page = client.get(_page(race))
    assert "Log in</a> to bet." in page.text

    response = client.post(_bets(race), {"horse": cast.member.pk, "amount": "10"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    htmx = client.post(_bets(race), {"horse": cast.member.pk, "amount": "10"}, headers=HX)
    assert htmx["HX-Redirect"].startswith("/accounts/login/")


# --- query budgets --------------------------------------------------------------------------------


def _bettors(cast, race, count):
    for _ in range(count):
        bettor = add_member(cast.club, UserFactory()).user
        services.account_open(user=bettor)
        Attendance.objects.create(meeting=race, user=bettor, rsvp=Rsvp.GOING)
        services.bet_place(bettor=bettor, meeting=race, horse=cast.owner, amount=2)


@pytest.mark.parametrize("closed", [False, True])
def test_meeting_page_with_bets_costs_the_same_for_3_or_30_bettors(client, cast, race, closed):
    client.force_login(cast.member)

    def count(url, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **kwargs)
        assert response.status_code == 200
        return len(queries), response

    _bettors(cast, race, 3)
    if closed:
        _start(race)
    few_page, _ = count(_page(race))
    few_fragment, _ = count(_bets(race), headers=HX)
    if closed:
        Meeting.objects.filter(pk=race.pk).update(starts_at=timezone.now() + timedelta(days=1))
    _bettors(cast, race, 27)
    if closed:
        _start(race)
    many_page, response = count(_page(race))
    many_fragment, fragment = count(_bets(race), headers=HX)

    assert many_page == few_page
    assert many_fragment == few_fragment
    # session, user, the poll's fingerprint, meeting, odds board (3), my bet, my balance, my role or
    # every bet, my friend ids
    assert few_fragment <= 11
    assert "Pool: 60 points." in fragment.text
