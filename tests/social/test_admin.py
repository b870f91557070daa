"""The user admin: logging in goes through allauth; moderators search and filter members."""

import pytest
from django.contrib.auth import SESSION_KEY

from social.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser(username="mod", email="mod@example.com", password=PASSWORD)


def test_admin_login_redirects_to_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert "next=/admin/" in response.url or "next=%2Fadmin%2F" in response.url


def test_admin_is_reached_after_logging_in_through_allauth(client, staff):
    response = client.post("/accounts/login/?next=/admin/", {"login": "mod", "password": PASSWORD})
    assert response.url == "/admin/"
    assert client.session[SESSION_KEY] == str(staff.pk)
    assert client.get("/admin/").status_code == 200


def test_non_staff_member_is_not_let_into_the_admin(client):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert client.get("/admin/social/user/").status_code in (302, 403)


@pytest.mark.parametrize("query", ["zelda", "ZELDA@EXAMPLE", "Princess Z"])
def test_user_search_covers_username_email_and_display_name(client, staff, query):
    UserFactory(username="zelda", email="zelda@example.com", display_name="Princess Zed")
    UserFactory(username="link", email="link@example.com", display_name="Hero")
    client.force_login(staff)
    html = client.get("/admin/social/user/", {"q": query}).content.decode()
    assert "zelda" in html
    assert ">link<" not in html


def test_user_list_filters_by_staff_and_activity(client, staff):
    UserFactory(username="sleeper", is_active=False)
    UserFactory(username="awake")
    client.force_login(staff)
    html = client.get("/admin/social/user/", {"is_active__exact": "0"}).content.decode()
    assert "sleeper" in html and "awake" not in html
    for parameter in ("is_staff__exact", "is_active__exact", "date_joined__gte"):
        assert parameter in client.get("/admin/social/user/").content.decode()


def test_admin_can_edit_a_member_profile(client, staff):
    member = UserFactory(username="zelda")
    client.force_login(staff)
    page = client.get(f"/admin/social/user/{member.pk}/change/")
    assert page.status_code == 200
    assert 'name="timezone"' in page.content.decode()
