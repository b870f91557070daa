"""The 100-point welcome bonus is minted when the member's email address is verified (or at sign-up
when the site verifies no addresses), exactly once per member: throwaway accounts that never prove
an address cannot feed another account through losing bets."""

import re

import pytest
from allauth.account.internal.flows.email_verification import verify_email
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory

from bets import services
from bets.audit import audit_points
from bets.models import Account, LedgerEntry, Reason
from meetings.models import Attendance, Rsvp
from social.models import User
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts confirmation mails per address in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def _sign_up(client, username: str = "newbie") -> User:
    response = client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": f"{username}@example.com",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 302, response.content
    return User.objects.get(username=username)


def _confirm(client, email: str) -> None:
    [message] = [message for message in mail.outbox if message.to == [email]]
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)
    assert client.post(link).status_code == 302


def _bonus_rows(user) -> list[int]:
    return list(
        LedgerEntry.objects.filter(account__user=user, reason=Reason.SIGNUP).values_list("amount", flat=True)
    )


def _balance(user) -> int:
    return Account.objects.filter(user=user).values_list("balance", flat=True).first() or 0


@pytest.mark.parametrize("verification", ["optional", "mandatory"])
def test_no_points_until_the_address_is_verified_then_100_once(client, settings, verification):
    settings.ACCOUNT_EMAIL_VERIFICATION = verification
    user = _sign_up(client)
    assert _balance(user) == 0 and _bonus_rows(user) == []

    _confirm(client, "newbie@example.com")

    assert EmailAddress.objects.get(user=user).verified
    assert _balance(user) == 100 and _bonus_rows(user) == [100]
    assert not audit_points().problems


def test_signup_mints_the_bonus_at_once_when_addresses_are_not_verified(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    user = _sign_up(client)
    assert _balance(user) == 100 and _bonus_rows(user) == [100]


def test_verifying_a_second_address_or_again_mints_nothing_more(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    user = _sign_up(client)
    _confirm(client, "newbie@example.com")
    # A second address verified later, and the first one's confirmation signalled again: still one bonus.
    second = EmailAddress.objects.create(user=user, email="other@example.com", verified=False)
    request = RequestFactory().post("/")
    request.user = user
    request._messages = type("NoMessages", (), {"add": lambda *args, **kwargs: None})()
    assert verify_email(request, second)
    email_confirmed.send(
        sender=EmailAddress, request=request, email_address=EmailAddress.objects.get(pk=second.pk)
    )
    assert _bonus_rows(user) == [100] and _balance(user) == 100


def test_an_admin_marking_the_address_verified_mints_it_once(admin_client):
    user = UserFactory()
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    admin_url = "/admin/account/emailaddress/"
    response = admin_client.post(
        admin_url, {"action": "make_verified", "_selected_action": [address.pk]}, follow=True
    )
    assert response.status_code == 200
    assert EmailAddress.objects.get(pk=address.pk).verified
    assert _bonus_rows(user) == [100]
    services.points_award_signup(user=user)
    assert _bonus_rows(user) == [100]


def test_an_unverified_member_earns_no_bonus_by_being_paid_something_else(cast, race):
    """Opening the account for another award (here a moderator's grant) does not mint the bonus."""
    moderator = UserFactory(is_staff=True, is_superuser=True)
    services.points_adjust(actor=moderator, user=cast.outsider, amount=5, note="Helped at the fair")
    assert _balance(cast.outsider) == 5 and _bonus_rows(cast.outsider) == []


def test_pages_say_the_bonus_waits_for_the_verified_address(client, cast, race, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    newbie = _sign_up(client)
    add_member(cast.club, newbie)
    Attendance.objects.create(meeting=race, user=newbie, rsvp=Rsvp.GOING)
    section = client.get(f"/meetings/{race.pk}/bets/", headers={"HX-Request": "true"}).text
    assert "Your 100 welcome points arrive when you" in section and 'name="amount"' not in section
    assert "Your 100 welcome points arrive when you" in client.get("/points/").text

    _confirm(client, "newbie@example.com")
    assert "welcome points arrive" not in client.get("/points/").text
    assert 'name="amount"' in client.get(f"/meetings/{race.pk}/bets/", headers={"HX-Request": "true"}).text
