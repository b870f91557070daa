"""The settings page: full page, its HTMX fragment, and refused input (422) that changes nothing."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("social:settings")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def member(client):
    user = UserFactory(display_name="Ada", bio="Reads Russians.", timezone="Europe/Lisbon")
    client.force_login(user)
    return user


def profile(**overrides):
    return {"display_name": "Ada Lovelace", "bio": "Poetical science.", "timezone": "Asia/Tokyo", **overrides}


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={URL}"


def test_full_page_shows_the_current_profile_and_account_links(client, member):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'class="site-nav"' in html
    assert 'value="Ada"' in html and "Reads Russians." in html
    assert 'type="text" name="timezone" value="Europe/Lisbon"' in html
    assert f'data-hx-post="{URL}"' in html and f'action="{URL}"' in html
    assert 'href="/accounts/password/change/"' in html
    assert 'href="/accounts/email/"' in html
    assert f'<a href="{URL}" aria-current="page">Profile</a>' in html


def test_htmx_request_gets_only_the_form_fragment(client, member):
    response = client.get(URL, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<form id="profile-form"')


def test_invalid_profile_is_refused_with_422_and_the_error_and_nothing_changes(client, member):
    response = client.post(URL, profile(display_name="x" * 81), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in html
    assert "Ensure this value has at most 80 characters (it has 81)." in html
    assert 'aria-invalid="true"' in html
    member.refresh_from_db()
    assert (member.display_name, member.timezone) == ("Ada", "Europe/Lisbon")


def test_invalid_profile_without_javascript_renders_the_full_page_with_422(client, member):
    response = client.post(URL, profile(timezone="Nowhere/Atlantis"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html
    assert "“Nowhere/Atlantis” is not a time zone we know." in html


@pytest.mark.parametrize(
    "field, value",
    [("display_name", "Ada\x00"), ("bio", "Hello\x00world"), ("bio", "b" * 1001), ("timezone", "")],
    ids=["nul-name", "nul-bio", "overlong-bio", "no-timezone"],
)
def test_bad_profile_input_is_refused(client, member, field, value):
    response = client.post(URL, profile(**{field: value}), headers=HTMX)
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Ada"


def test_saving_with_htmx_swaps_the_form_in_place_with_a_confirmation(client, member):
    response = client.post(URL, profile(), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Your profile is saved." in html
    assert 'value="Ada Lovelace"' in html
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.timezone) == (
        "Ada Lovelace",
        "Poetical science.",
        "Asia/Tokyo",
    )


def test_saving_without_javascript_redirects_with_a_message(client, member):
    response = client.post(URL, profile(display_name="  Ada L.  "), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Your profile is saved." in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Ada L."


def test_clearing_the_display_name_falls_back_to_the_username(client, member):
    client.post(URL, profile(display_name=""))
    member.refresh_from_db()
    assert member.name == member.username
