"""Password reset by email and password change from the settings."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from social.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET_URL = "/accounts/password/reset/"
NEW_PASSWORD = "a-brand-new-passphrase"


def test_reset_request_page_renders_in_the_site_layout(client):
    html = client.get(RESET_URL).content.decode()
    assert 'class="site-nav"' in html
    assert '<label for="id_email">' in html


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client):
    user = UserFactory(email="reader@example.com")
    response = client.post(RESET_URL, {"email": "Reader@Example.com"})
    assert response.status_code == 302
    assert "Check your email" in client.get(response.url).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.com"]
    assert message.subject.startswith("[Booky] ")
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert "Password changed" in done.content.decode()

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_used_or_forged_reset_link_is_refused_politely(client):
    response = client.get("/accounts/password/reset/key/zz-forged-key/", follow=True)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_password_reset_for_an_unknown_email_reveals_nothing(client):
    response = client.post(RESET_URL, {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1  # allauth tells the address that it has no account
    assert not User.objects.filter(email="nobody@example.com").exists()


def test_password_change_requires_the_current_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Please type your current password." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_keeps_the_member_logged_in(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)
