"""Every account page a member meets renders inside Booky's layout, with no inline script or style."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from social.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assert_site_page(response, heading: str):
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-nav"' in html and "site-footer" in html
    assert heading in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert "<style" not in html and 'style="' not in html


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/accounts/login/", "Log in"),
        ("/accounts/signup/", "Create your account"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your email"),
        ("/accounts/password/reset/key/done/", "Password changed"),
        ("/accounts/confirm-email/", "Confirm your email"),
        ("/accounts/confirm-email/not-a-key/", "This confirmation link has expired or is invalid."),
    ],
)
def test_anonymous_account_pages_use_the_site_layout(client, url, heading):
    assert_site_page(client.get(url), heading)


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/accounts/password/change/", "Change password"),
        ("/accounts/email/", "Email addresses"),
        ("/accounts/logout/", "Log out?"),
        ("/settings/", "Profile"),
    ],
)
def test_member_account_pages_use_the_site_layout(client, url, heading):
    client.force_login(UserFactory())
    assert_site_page(client.get(url), heading)


def test_settings_sections_mark_the_current_one(client):
    client.force_login(UserFactory())
    html = client.get("/accounts/password/change/").content.decode()
    assert '<a href="/accounts/password/change/" aria-current="page">Password</a>' in html
    assert '<a href="/settings/">Profile</a>' in html


def test_email_page_lists_addresses_and_adds_one_that_needs_confirming(client):
    user = UserFactory(email="ada@example.com")
    EmailAddress.objects.create(user=user, email="ada@example.com", primary=True, verified=True)
    client.force_login(user)
    assert "ada@example.com" in client.get("/accounts/email/").content.decode()

    response = client.post("/accounts/email/", {"email": "second@example.com", "action_add": ""}, follow=True)
    html = response.content.decode()
    assert "second@example.com" in html and "Unverified" in html
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["second@example.com"]


def test_adding_an_email_another_member_has_in_another_case_is_refused(client):
    UserFactory(username="other", email="Taken@Example.com")
    user = UserFactory()
    client.force_login(user)
    response = client.post("/accounts/email/", {"email": "taken@example.com", "action_add": ""})
    assert "A user is already registered with this email address." in response.content.decode()
    assert not EmailAddress.objects.filter(email__iexact="taken@example.com").exists()


def test_signup_confirmation_email_link_confirms_the_address(client):
    client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a-long-secret-phrase",
            "password2": "a-long-secret-phrase",
            "timezone": "UTC",
        },
    )
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link)
    assert_site_page(page, "Confirm email address")
    client.post(link)
    assert EmailAddress.objects.get(user=User.objects.get(username="ada")).verified


def test_email_page_buttons_make_primary_and_remove_addresses(client):
    user = UserFactory(email="ada@example.com")
    EmailAddress.objects.create(user=user, email="ada@example.com", primary=True, verified=True)
    EmailAddress.objects.create(user=user, email="old@example.com", primary=False, verified=True)
    EmailAddress.objects.create(user=user, email="new@example.com", primary=False, verified=True)
    client.force_login(user)
    html = client.get("/accounts/email/").content.decode()
    assert html.count('name="action_remove"') == 2  # never offered for the primary address

    client.post("/accounts/email/", {"email": "old@example.com", "action_remove": ""})
    client.post("/accounts/email/", {"email": "new@example.com", "action_primary": ""})
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert set(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == {
        "ada@example.com",
        "new@example.com",
    }
