"""Input that looks like a value but is not one is refused with a clear message and changes nothing:
names made only of invisible characters, digits from other scripts read as numbers, a PATCH that
names no field."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from books.forms import BookForm
from books.models import Book
from booky.validators import validate_visible_name
from clubs.models import Club
from meetings.forms import MeetingForm
from meetings.models import Meeting
from social.models import User
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

INVISIBLE_NAMES = ["\u200b\u200b", "\u0007", "\u200d", "\u3164", "\u2800 \u2800", "\u0301", "\u202e\u2066"]
HX = {"HX-Request": "true"}


@pytest.fixture
def member():
    return UserFactory(display_name="Ada")


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_invisible_characters_is_refused(name):
    with pytest.raises(ValidationError):
        validate_visible_name(name)


@pytest.mark.parametrize("name", ["Ada", "Zoë", "👩‍👩‍👧 club", "می‌خواهم", "李", "R2-D2", "·"])
def test_real_names_pass_even_with_joiners_inside(name):
    validate_visible_name(name)


def test_a_control_character_inside_a_name_is_refused():
    with pytest.raises(ValidationError, match="control characters"):
        validate_visible_name("Ada\u0007Lovelace")


# --- every place a name is typed --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u0007"])
def test_display_name_on_the_settings_page(client, member, name):
    client.force_login(member)
    response = client.post("/settings/", {"display_name": name, "timezone": "UTC"}, headers=HX)
    assert response.status_code == 422
    assert "visible letter" in response.text or "control characters" in response.text
    assert User.objects.get(pk=member.pk).display_name == "Ada"


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u0007"])
def test_display_name_in_the_api(api, member, name):
    response = api.patch("/api/v1/me/", {"display_name": name}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}
    assert User.objects.get(pk=member.pk).display_name == "Ada"


def test_display_name_in_the_service_and_model(member):
    from booky.errors import DomainError
    from social.services import user_update_profile

    with pytest.raises(DomainError, match="visible letter"):
        user_update_profile(user=member, display_name="\u200b", bio="", timezone="UTC")
    member.display_name = "\u200b\u200b"
    with pytest.raises(ValidationError):
        member.full_clean()


@pytest.mark.parametrize("field", ["name", "city", "country"])
def test_club_names_on_the_page_and_in_the_api(client, api, member, field):
    client.force_login(member)
    data = {"name": "Porto Poets", "visibility": "public", "join_policy": "open", field: "\u200b\u200b"}
    response = client.post("/clubs/new/", data, headers=HX)
    assert response.status_code == 422
    assert "visible letter" in response.text
    response = api.post("/api/v1/clubs/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Club.objects.exists()


def test_a_club_cannot_be_renamed_to_nothing_visible(api, member):
    club = ClubFactory(owner=member, name="Porto Poets")
    response = api.patch(f"/api/v1/clubs/{club.slug}/", {"name": "\u2800"}, format="json")
    assert response.status_code == 400
    club.refresh_from_db()
    assert club.name == "Porto Poets"


@pytest.mark.parametrize("field", ["title", "place"])
def test_meeting_title_and_place(field):
    form = MeetingForm(
        data={
            "book": BookFactory().pk,
            "starts_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "90",
            "place": "Library",
            field: "\u200b\u200b",
        },
        tz=ZoneInfo("UTC"),
    )
    assert not form.is_valid()
    assert "visible letter" in form.errors[field][0]
    meeting = MeetingFactory()
    setattr(meeting, field, "\u0007")
    with pytest.raises(ValidationError):
        meeting.full_clean(exclude=["ends_at"])


def test_meeting_title_in_the_api(api, member):
    club = ClubFactory(owner=member)
    starts = (timezone.now() + timedelta(days=3)).isoformat()
    response = api.post(
        f"/api/v1/clubs/{club.slug}/meetings/",
        {"book": BookFactory().pk, "starts_at": starts, "place": "Library", "title": "\u200b"},
        format="json",
    )
    assert response.status_code == 400
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("field", ["title", "subtitle", "publisher", "authors"])
def test_book_typed_by_hand(field):
    data = {"title": "The Zine", "authors": "Ana Silva", "page_count": "48", field: "\u200b\u200b"}
    form = BookForm(data=data)
    assert not form.is_valid()
    assert "visible letter" in form.errors[field][0]


@pytest.mark.parametrize("field", ["title", "authors"])
def test_book_typed_by_hand_in_the_api(api, field):
    data = {"title": "The Zine", "authors": ["Ana Silva"], "page_count": 48}
    data[field] = ["\u0007"] if field == "authors" else "\u0007"
    response = api.post("/api/v1/books/", data, format="json")
    assert response.status_code == 400
    assert not Book.objects.filter(title="The Zine").exists()
