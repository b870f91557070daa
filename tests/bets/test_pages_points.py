"""My points: the balance, a chart of it over time, and the ledger, paginated, with links."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bets import services
from bets.models import LedgerEntry

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _churn(user, meeting, horse, times: int) -> None:
    """2 ledger rows per round: a stake and its withdrawal."""
    for _ in range(times):
        bet = services.bet_place(bettor=user, meeting=meeting, horse=horse, amount=7)
        services.bet_withdraw(bettor=user, bet=bet)


def test_my_points_needs_a_login(client):
    response = client.get("/points/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_points_shows_balance_chart_and_ledger_with_links(client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    client.force_login(cast.member)

    response = client.get("/points/")

    assert response.status_code == 200
    assert "<html" in response.text
    assert 'id="balance">70 <small class="muted">points</small>' in response.text
    assert '<svg viewBox="0 0 600 160"' in response.text and 'class="balance-line"' in response.text
    ledger = response.text.split('id="ledger"')[1]
    assert "Welcome bonus" in ledger and "+100" in ledger
    assert "Bet placed" in ledger and "-30" in ledger
    assert f'href="/meetings/{race.pk}/">{race.display_title}</a>' in ledger
    assert f'href="/meetings/{race.pk}/#bets">bet #{bet.pk}</a>' in ledger
    assert ledger.index("Bet placed") < ledger.index("Welcome bonus")  # newest first
    assert "style=" not in response.text


def test_my_points_ledger_pages_by_25_and_loads_pages_in_place(client, cast, race):
    _churn(cast.member, race, cast.owner, 15)  # 30 rows + the welcome bonus
    client.force_login(cast.member)

    first = client.get("/points/")
    second = client.get("/points/?page=2", headers=HX)

    assert first.text.count('<tr id="entry-') == 25
    assert 'data-hx-get="/points/?page=2" data-hx-target="#ledger"' in first.text
    assert second.status_code == 200
    assert "<html" not in second.text
    assert second.text.lstrip().startswith('<section id="ledger"')
    assert second.text.count('<tr id="entry-') == 6
    assert "Welcome bonus" in second.text


def test_a_page_number_out_of_range_shows_the_last_page(client, cast, race):
    client.force_login(cast.member)
    response = client.get("/points/?page=999")
    assert response.status_code == 200
    assert "Welcome bonus" in response.text


def test_moderator_adjustments_show_their_reason(client, cast, race):
    from social.models import User

    moderator = User.objects.create_superuser(username="mod", email="mod@example.com", password="x-long-pass")
    services.points_adjust(actor=moderator, user=cast.member, amount=-5, note="Double sign-up")
    client.force_login(cast.member)
    response = client.get("/points/")
    assert "Adjusted by a moderator: Double sign-up" in response.text


def test_someone_without_any_points_sees_an_empty_state(client, user):
    client.force_login(user)
    response = client.get("/points/")
    assert response.status_code == 200
    assert "No points yet." in response.text
    assert "<svg viewBox" not in response.text


def test_my_points_costs_the_same_for_3_or_30_ledger_rows(client, cast, race):
    client.force_login(cast.member)
    _churn(cast.member, race, cast.owner, 1)
    assert LedgerEntry.objects.filter(account__user=cast.member).count() == 3
    with CaptureQueriesContext(connection) as few:
        client.get("/points/")
    _churn(cast.member, race, cast.owner, 14)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/points/")
    assert response.text.count('<tr id="entry-') == 25
    assert len(many) == len(few)
    assert len(few) <= 8


def test_home_shows_my_balance_and_the_nav_links_to_points_and_leaderboards(client, cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=12)
    client.force_login(cast.member)
    response = client.get("/")
    assert '<a href="/points/" id="my-balance">88 points</a>' in response.text
    assert 'href="/points/"' in response.text.split('aria-label="Main"')[1]
    assert 'href="/leaderboards/"' in response.text.split('aria-label="Main"')[1]
