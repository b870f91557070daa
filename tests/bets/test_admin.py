"""The points admin: everything read-only; the only write is "Adjust points", with a mandatory reason."""

import pytest
from django.contrib.auth.models import Permission

from bets import services
from bets.models import Account, Bet, LedgerEntry, Reason
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LEDGER = "/admin/bets/ledgerentry/"
ADJUST = "/admin/bets/ledgerentry/adjust/"


@pytest.fixture
def moderator(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_ledgerentry", "view_ledgerentry", "view_account", "view_bet"]
        )
    )
    client.force_login(staff)
    return staff


@pytest.fixture
def entry(user):
    services.account_open(user=user)
    return LedgerEntry.objects.get()


def test_the_ledger_list_shows_entries_filters_by_reason_and_searches_by_user(admin_client, cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)

    everything = admin_client.get(LEDGER)
    stakes = admin_client.get(LEDGER, {"reason__exact": "stake"})
    by_user = admin_client.get(LEDGER, {"q": cast.owner.username})

    assert everything.status_code == 200
    assert "Bet placed" in everything.text and "Welcome bonus" in everything.text
    assert stakes.text.count('class="field-reason"') == 1
    assert by_user.text.count('class="field-reason"') == 1


@pytest.mark.parametrize("client_name", ["admin_client", "moderator_client"])
def test_ledger_rows_cannot_be_edited_or_deleted_from_the_admin(request, entry, client_name):
    if client_name == "moderator_client":
        request.getfixturevalue("moderator")
        client = request.getfixturevalue("client")
    else:
        client = request.getfixturevalue("admin_client")
    change = f"{LEDGER}{entry.pk}/change/"

    page = client.get(change)
    edit = client.post(change, {"amount": 1_000_000, "balance_after": 1_000_000, "reason": "signup"})
    delete = client.post(f"{LEDGER}{entry.pk}/delete/", {"post": "yes"})
    bulk = client.post(LEDGER, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    add = client.get(f"{LEDGER}add/")

    assert page.status_code == 200 and 'name="_save"' not in page.text  # a read-only view
    assert edit.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    assert bulk.status_code in (200, 302)
    stored = LedgerEntry.objects.get()
    assert (stored.amount, stored.balance_after) == (100, 100)


def test_accounts_and_bets_are_read_only_too(admin_client, cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    account = Account.objects.get(user=cast.member)

    assert admin_client.get("/admin/bets/account/", {"q": cast.member.username}).status_code == 200
    assert (
        admin_client.post(f"/admin/bets/account/{account.pk}/change/", {"balance": 10**6}).status_code == 403
    )
    assert admin_client.post(f"/admin/bets/account/{account.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/bets/bet/", {"status__exact": "open"}).status_code == 200
    assert admin_client.post(f"/admin/bets/bet/{bet.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Account.objects.get(user=cast.member).balance == 70
    assert Bet.objects.filter(pk=bet.pk).exists()


def test_a_moderator_adjusts_points_with_a_reason(client, moderator, user):
    services.account_open(user=user)
    assert "Adjust points" in client.get(LEDGER).text

    response = client.post(
        ADJUST, {"user": user.username, "amount": "-40", "reason": "Spam bets"}, follow=True
    )

    assert response.status_code == 200
    assert "-40 points" in response.text
    entry = LedgerEntry.objects.get(reason=Reason.ADJUSTMENT)
    assert (entry.amount, entry.note, entry.created_by, entry.balance_after) == (
        -40,
        "Spam bets",
        moderator,
        60,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "50", "reason": ""}, "This field is required"),
        ({"amount": "50", "reason": "   "}, "This field is required"),
        ({"amount": "0", "reason": "Why not"}, "at least one point"),
        ({"amount": "2.5", "reason": "Why not"}, "Enter a whole number"),
        ({"amount": "-500", "reason": "Too much"}, "Not enough points"),
    ],
)
def test_an_adjustment_without_a_reason_or_with_a_bad_amount_is_refused(
    client, moderator, user, data, message
):
    services.account_open(user=user)
    response = client.post(ADJUST, {"user": user.username, **data})
    assert response.status_code == 422
    assert message in response.text
    assert not LedgerEntry.objects.filter(reason=Reason.ADJUSTMENT).exists()


def test_an_adjustment_for_an_unknown_member_is_refused(client, moderator):
    response = client.post(ADJUST, {"user": "nobody", "amount": "5", "reason": "Quiz"})
    assert response.status_code == 422
    assert "no member called" in response.text


def test_staff_without_the_permission_cannot_adjust(client, user):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_ledgerentry"))
    client.force_login(viewer)

    assert "Adjust points" not in client.get(LEDGER).text
    assert client.get(ADJUST).status_code == 403
    assert client.post(ADJUST, {"user": user.username, "amount": "5", "reason": "x"}).status_code == 403
    assert not LedgerEntry.objects.filter(reason=Reason.ADJUSTMENT).exists()
