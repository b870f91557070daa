"""The time-zone box on sign-up and settings: a text box, not ~550 <option>s in every page, that takes
what people type ("lisbon", "America/New York") and refuses the rest with the closest zones; typing shows
matching zones under it (htmx), and the API keeps taking zone names."""

import pytest
from django.urls import reverse

from social.forms import ProfileForm, zone_named, zones_matching
from social.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SETTINGS = reverse("social:settings")
SEARCH = reverse("social:timezones")


@pytest.mark.parametrize(
    "typed, zone",
    [
        ("Europe/Lisbon", "Europe/Lisbon"),
        ("  europe/lisbon ", "Europe/Lisbon"),
        ("America/New York", "America/New_York"),
        ("lisbon", "Europe/Lisbon"),
        ("new  york", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_what_people_type_is_taken_as_the_zone_it_names(typed, zone):
    assert zone_named(typed) == zone


@pytest.mark.parametrize("typed", ["Mars/Base", "EST", "Buenos Aires", "", "Europe"])
def test_no_zone_or_more_than_one_is_not_a_zone(typed):
    # "Buenos Aires": America/Buenos_Aires and America/Argentina/Buenos_Aires; "EST": not offered.
    assert zone_named(typed) is None


def test_matches_put_the_cities_that_start_with_it_first_and_forgive_typos():
    assert zones_matching("par")[0] == "America/Paramaribo"
    assert "Europe/Paris" in zones_matching("par")
    assert zones_matching("lisbn") == ["Europe/Lisbon"]
    assert zones_matching("l") == []  # one letter matches half the world: wait for the next
    assert len(zones_matching("america")) == 8


def test_the_settings_page_has_a_text_box_with_the_current_zone_not_hundreds_of_options(client):
    member = UserFactory(timezone="Asia/Tokyo")
    client.force_login(member)
    html = client.get(SETTINGS).content.decode()
    assert "<option" not in html.split('name="timezone"')[1].split("</form>")[0]
    assert html.count("<option") < 20
    assert 'type="text" name="timezone" value="Asia/Tokyo"' in html
    assert f'data-hx-get="{SEARCH}"' in html and 'data-hx-target="#id_timezone_suggestions"' in html
    assert '<div id="id_timezone_suggestions" class="timezone-suggestions" aria-live="polite"></div>' in html
    assert len(html.encode()) < 15_000


def _profile(**overrides):
    return {"display_name": "Ada", "bio": "", "timezone": "Europe/Lisbon", **overrides}


def test_saving_a_city_stores_its_zone(client):
    member = UserFactory()
    client.force_login(member)
    response = client.post(SETTINGS, _profile(timezone="tokyo"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("Lisbn", "“Lisbn” is not a time zone we know. Did you mean Europe/Lisbon?"),
        (
            "Buenos Aires",
            "“Buenos Aires” is not a time zone we know. "
            "Did you mean America/Argentina/Buenos_Aires or America/Buenos_Aires?",
        ),
        (
            "Qqqq",
            "“Qqqq” is not a time zone we know. Type a city or a Region/City name, e.g. Lisbon or Europe/Lisbon.",
        ),
    ],
)
def test_an_unknown_zone_is_a_clear_form_error_with_the_closest_zones(typed, message):
    form = ProfileForm(_profile(timezone=typed))
    assert not form.is_valid()
    assert form.errors["timezone"] == [message]


def test_the_search_fragment_lists_matches_as_buttons_that_fill_the_box(client, db):
    response = client.get(SEARCH, {"timezone": "lisb"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "1 matching zone:" in html
    assert 'data-timezone-choice="Europe/Lisbon"' in html and 'type="button"' in html
    assert "public" in response["Cache-Control"]


def test_the_search_says_when_nothing_matches_and_stays_quiet_once_the_zone_is_right(client, db):
    assert "No time zone matches “Qqqq”." in client.get(SEARCH, {"timezone": "Qqqq"}).content.decode()
    assert client.get(SEARCH, {"timezone": "Europe/Lisbon"}).content.decode().strip() == ""


def test_the_api_still_takes_and_refuses_zone_names(api_client):
    member = UserFactory()
    api_client.force_authenticate(member)
    assert api_client.patch("/api/v1/me/", {"timezone": "Asia/Tokyo"}, format="json").status_code == 200
    assert User.objects.get(pk=member.pk).timezone == "Asia/Tokyo"
    assert api_client.patch("/api/v1/me/", {"timezone": "tokyo"}, format="json").status_code == 400
