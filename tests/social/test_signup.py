"""Signing up on the web page: who gets an account, and what a refused sign-up says."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from social.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"


def signup_data(**overrides):
    return {
        "username": "ada",
        "email": "ada@example.com",
        "password1": "a-long-secret-phrase",
        "password2": "a-long-secret-phrase",
        "timezone": "Europe/Lisbon",
        **overrides,
    }


def test_signup_page_renders_in_the_site_layout_with_labelled_fields(client):
    response = client.get(SIGNUP_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-nav"' in html  # base.html, not allauth's bare layout
    assert "<h1>Create your account</h1>" in html
    for field in ("username", "email", "password1", "password2", "timezone"):
        assert f'<label for="id_{field}">' in html
    assert "data-browser-timezone" in html
    assert 'type="text" name="timezone" value="UTC"' in html
    assert "<script>" not in html and 'style="' not in html


def test_valid_signup_creates_the_user_logs_them_in_and_redirects(client):
    response = client.post(SIGNUP_URL, signup_data())
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="ada")
    assert (user.email, user.timezone) == ("ada@example.com", "Europe/Lisbon")
    assert client.get(reverse("social:settings")).status_code == 200  # logged in
    assert EmailAddress.objects.filter(user=user, email="ada@example.com", primary=True).exists()


def test_signup_without_a_timezone_defaults_to_utc(client):
    client.post(SIGNUP_URL, signup_data(timezone=""))
    assert User.objects.get(username="ada").timezone == "UTC"


def test_signup_with_an_unknown_timezone_is_refused(client):
    response = client.post(SIGNUP_URL, signup_data(timezone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert "“Mars/Olympus_Mons” is not a time zone we know." in response.content.decode()
    assert not User.objects.exists()


def test_usernames_are_stored_in_lower_case(client):
    client.post(SIGNUP_URL, signup_data(username="AdaL"))
    assert User.objects.filter(username="adal").exists()


@pytest.mark.parametrize(
    "existing_email, new_email",
    [("ada@example.com", "ADA@Example.COM"), ("Ada@Example.com", "ada@example.com")],
    ids=["new-in-upper-case", "existing-in-mixed-case"],
)
def test_email_differing_only_in_case_is_refused_with_a_message(client, existing_email, new_email):
    UserFactory(username="someone", email=existing_email)
    response = client.post(SIGNUP_URL, signup_data(email=new_email))
    assert response.status_code == 200
    assert "A user is already registered with this email address." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "existing_username", ["ada", "Ada"], ids=["lower", "mixed-case-made-outside-allauth"]
)
def test_username_differing_only_in_case_is_refused_with_a_message(client, existing_username):
    UserFactory(username=existing_username, email="first@example.com")
    response = client.post(SIGNUP_URL, signup_data(username="ADA"))
    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("username", "ada\x00", "Null characters are not allowed."),
        ("email", "ada\x00@example.com", "Null characters are not allowed."),
        ("username", "a" * 151, "Ensure this value has at most 150 characters"),
        ("email", "a" * 250 + "@example.com", "Email addresses can be at most 254 characters."),
        ("username", "ada lovelace", "Enter a valid username."),
    ],
    ids=["nul-username", "nul-email", "overlong-username", "overlong-email", "space-in-username"],
)
def test_bad_input_is_refused_next_to_the_field(client, field, value, message):
    response = client.post(SIGNUP_URL, signup_data(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not User.objects.exists()


def test_mismatched_password_confirmation_is_refused(client):
    response = client.post(SIGNUP_URL, signup_data(password2="something-else-entirely"))
    assert "You must type the same password each time." in response.content.decode()
    assert not User.objects.exists()


def test_weak_password_is_refused(client):
    response = client.post(SIGNUP_URL, signup_data(password1="12345678", password2="12345678"))
    assert "This password is entirely numeric." in response.content.decode()
    assert not User.objects.exists()
