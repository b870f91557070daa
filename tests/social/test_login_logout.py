"""Logging in with a username or an email, and logging out only on purpose (POST)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
LOGOUT_URL = "/accounts/logout/"


def test_login_page_renders_in_the_site_layout(client):
    html = client.get(LOGIN_URL).content.decode()
    assert 'class="site-nav"' in html
    assert '<label for="id_login">Username or email</label>' in html
    assert 'href="/accounts/password/reset/"' in html
    assert 'href="/accounts/signup/"' in html


@pytest.mark.parametrize("login", ["reader", "READER", "reader@example.com", "Reader@Example.com"])
def test_login_works_with_username_or_email_in_any_case(client, login):
    user = UserFactory(username="reader", email="reader@example.com")
    response = client.post(LOGIN_URL, {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_with_a_wrong_password_says_so_and_stays_anonymous(client):
    UserFactory(username="reader")
    response = client.post(LOGIN_URL, {"login": "reader", "password": "not-the-password"})
    assert response.status_code == 200
    assert "The username and/or password you specified are not correct." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_follows_a_safe_next_url(client):
    UserFactory(username="reader")
    response = client.post(f"{LOGIN_URL}?next=/settings/", {"login": "reader", "password": PASSWORD})
    assert response.url == "/settings/"


def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client):
    UserFactory(username="reader")
    for attempt in range(5):
        client.post(LOGIN_URL, {"login": "reader", "password": f"wrong-{attempt}"})
    response = client.post(LOGIN_URL, {"login": "reader", "password": PASSWORD})
    assert "Too many failed login attempts. Try again later." in response.content.decode()


def test_failed_logins_count_per_account_whatever_host_name_they_arrive_under(client):
    # Two nodes behind a proxy that forwards each node's own address, or two allowed site names.
    UserFactory(username="reader")
    for attempt in range(5):
        host = ("127.0.0.1:8001", "localhost:8002")[attempt % 2]
        client.post(LOGIN_URL, {"login": "reader", "password": f"wrong-{attempt}"}, HTTP_HOST=host)
    response = client.post(LOGIN_URL, {"login": "reader", "password": PASSWORD}, HTTP_HOST="testserver")
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert SESSION_KEY not in client.session


def test_logout_page_on_get_asks_for_confirmation_and_does_not_log_out(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(LOGOUT_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-nav"' in html
    assert "Log out?" in html
    assert f'<form method="post" action="{LOGOUT_URL}"' in html
    assert client.session[SESSION_KEY] == str(user.pk)


def test_logout_by_post_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(LOGOUT_URL)
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_every_page_offers_logout_as_a_post_form(client):
    client.force_login(UserFactory())
    html = client.get(reverse("social:settings")).content.decode()
    assert f'<form method="post" action="{LOGOUT_URL}">' in html
