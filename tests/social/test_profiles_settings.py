"""Choosing who sees the profile, on the settings page: full page, HTMX save, refused input (422)."""

import pytest

from social.models import ProfileVisibility
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/settings/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def member(client):
    user = UserFactory(username="ada", display_name="Ada", timezone="Europe/Lisbon")
    client.force_login(user)
    return user


def form(**overrides):
    return {
        "display_name": "Ada",
        "bio": "",
        "timezone": "Europe/Lisbon",
        "profile_visibility": "friends",
        **overrides,
    }


def test_the_settings_page_offers_the_three_visibilities_as_labelled_radios(client, member):
    html = client.get(URL).content.decode()
    assert "<legend>Who can see your profile</legend>" in html
    for value, label in ProfileVisibility.choices:
        assert f'value="{value}"' in html and label in html
    assert 'type="radio" name="profile_visibility" value="public"' in html
    assert 'id="avatar-form"' in html and 'enctype="multipart/form-data"' in html
    assert 'href="/settings/delete/"' in html and 'href="/u/ada/"' in html


def test_saving_with_htmx_changes_the_visibility_and_shows_it_checked(client, member):
    response = client.post(URL, form(profile_visibility="private"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Your profile is saved." in html
    assert 'value="private" id="id_profile_visibility_2" checked>' in html
    assert 'value="public" id="id_profile_visibility_0">' in html
    member.refresh_from_db()
    assert member.profile_visibility == ProfileVisibility.PRIVATE
    client.logout()
    assert client.get("/u/ada/").status_code == 404


def test_an_unknown_visibility_is_refused_with_422_and_nothing_changes(client, member):
    response = client.post(URL, form(profile_visibility="everyone", display_name="Changed"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Select a valid choice. everyone is not one of the available choices." in html
    member.refresh_from_db()
    assert member.profile_visibility == ProfileVisibility.PUBLIC and member.display_name == "Ada"


def test_leaving_the_visibility_out_keeps_the_current_one(client, member):
    member.profile_visibility = ProfileVisibility.FRIENDS
    member.save()
    data = form()
    del data["profile_visibility"]
    assert client.post(URL, data).status_code == 302
    member.refresh_from_db()
    assert member.profile_visibility == ProfileVisibility.FRIENDS
