"""With ACCOUNT_EMAIL_VERIFICATION = "mandatory", signing up does not tell whether an address is
registered: a taken address gets the same answer as a new one (on the page and in the app API), no
second account is made, and the owner gets allauth's "you already have an account" mail instead.
With "optional" verification allauth cannot hide it and the form says so (tests/social/test_signup.py)."""

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.utils.module_loading import import_string

from social.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
APP_SIGNUP_URL = "/_allauth/app/v1/auth/signup"
TAKEN = "A user is already registered with this email address."


@pytest.fixture
def mandatory(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"


def page_signup(client, username: str, email: str):
    return client.post(
        SIGNUP_URL,
        {
            "username": username,
            "email": email,
            "password1": "a-long-secret-phrase",
            "password2": "a-long-secret-phrase",
            "timezone": "UTC",
        },
    )


def app_signup(client, username: str, email: str):
    return client.post(
        APP_SIGNUP_URL,
        {"username": username, "email": email, "password": "a-long-secret-phrase"},
        content_type="application/json",
    )


@pytest.mark.parametrize("taken_as", ["ada@example.com", "Ada@Example.COM"], ids=["same", "other-case"])
def test_the_signup_page_answers_a_taken_address_like_a_new_one(client, mandatory, taken_as):
    UserFactory(username="ada", email="ada@example.com")

    fresh = page_signup(client, "newcomer", "newcomer@example.com")
    client.logout()
    mail.outbox.clear()
    taken = page_signup(client, "impostor", taken_as)

    assert taken.status_code == fresh.status_code == 302
    assert taken.url == fresh.url
    assert TAKEN not in client.get(taken.url).content.decode()
    assert not User.objects.filter(username="impostor").exists()
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]  # the owner hears of it


@pytest.mark.parametrize("taken_as", ["ada@example.com", "ADA@example.com"], ids=["same", "other-case"])
def test_the_app_signup_answers_a_taken_address_like_a_new_one(client, mandatory, taken_as):
    UserFactory(username="ada", email="ada@example.com")

    fresh = app_signup(client, "newcomer", "newcomer@example.com")
    client.logout()
    taken = app_signup(client, "impostor", taken_as)

    assert taken.status_code == fresh.status_code == 401
    assert TAKEN not in taken.content.decode() and "email_taken" not in taken.content.decode()
    shape = {flow["id"]: flow.get("is_pending") for flow in taken.json()["data"]["flows"]}
    assert shape == {flow["id"]: flow.get("is_pending") for flow in fresh.json()["data"]["flows"]}
    assert shape.get("verify_email") is True
    assert not User.objects.filter(username="impostor").exists()


def test_an_address_stored_with_capitals_outside_allauth_still_gets_no_second_account(client, mandatory):
    ada = UserFactory(username="ada")
    # Written around User.save(), as rows from before its lower-casing may be: refused, never a 500.
    User.objects.filter(pk=ada.pk).update(email="Ada@Example.com")

    response = page_signup(client, "impostor", "ada@example.com")

    assert response.status_code == 200
    assert not User.objects.filter(username="impostor").exists()


def test_with_optional_verification_a_taken_address_is_refused_with_a_message_in_the_app_api(client):
    UserFactory(username="ada", email="ada@example.com")

    response = app_signup(client, "impostor", "ada@example.com")

    assert response.status_code == 400
    assert not User.objects.filter(username="impostor").exists()


def test_addresses_are_stored_in_lower_case_and_old_ones_are_lowered_by_the_migration():
    made_outside = UserFactory(email="Grace@Example.COM")
    assert User.objects.get(pk=made_outside.pk).email == "grace@example.com"

    User.objects.filter(pk=made_outside.pk).update(email="Grace@Example.COM")
    migration = import_string("social.migrations.0003_lowercase_emails.lowercase_emails")
    migration(django_apps, None)

    assert User.objects.get(pk=made_outside.pk).email == "grace@example.com"
