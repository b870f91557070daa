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
from booky.core.validators import validate_visible_name
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
    from booky.core.errors import DomainError
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


# --- digits from other scripts are not numbers ------------------------------------------------------

OTHER_DIGITS = ["٥", "５", "۵", "५", "1٥"]


@pytest.mark.parametrize("digits", OTHER_DIGITS)
def test_book_pages_in_other_digits_are_refused(digits):
    form = BookForm(data={"title": "The Zine", "authors": "Ana Silva", "page_count": digits})
    assert not form.is_valid()
    assert "whole number" in form.errors["page_count"][0]


@pytest.mark.parametrize("field", ["duration_minutes", "target_page"])
def test_meeting_numbers_in_other_digits_are_refused(field):
    data = {
        "book": BookFactory().pk,
        "starts_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "place": "Library",
        field: "٥",
    }
    form = MeetingForm(data=data, tz=ZoneInfo("UTC"))
    assert not form.is_valid() and field in form.errors


def test_ascii_numbers_still_work_in_forms():
    form = BookForm(data={"title": "The Zine", "authors": "Ana Silva", "page_count": " 48 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["page_count"] == 48


@pytest.fixture
def host_meeting(member):
    club = ClubFactory(owner=member)
    return MeetingFactory(club=club, title="Autumn read")


def test_a_bet_amount_in_other_digits_is_refused(api, member, host_meeting):
    from bets.models import Bet
    from bets.services import account_open
    from meetings.models import Attendance, Rsvp

    account_open(user=member)
    Attendance.objects.create(meeting=host_meeting, user=member, rsvp=Rsvp.GOING)
    url = f"/api/v1/meetings/{host_meeting.pk}/bets/"
    response = api.post(url, {"horse": member.username, "amount": "٥"}, format="json")
    assert response.status_code == 400
    assert not Bet.objects.exists()
    assert api.post(url, {"horse": member.username, "amount": "5"}, format="json").status_code == 201


def test_progress_pages_in_other_digits_are_refused(api, member, host_meeting):
    response = api.put(f"/api/v1/meetings/{host_meeting.pk}/progress/", {"current_page": "٥"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "payload",
    [{"target_page": "٥"}, {"duration_minutes": "９０"}, {"book": "٥"}],
)
def test_meeting_numbers_and_ids_in_other_digits_are_refused_by_the_api(api, host_meeting, payload):
    before = Meeting.objects.get(pk=host_meeting.pk)
    response = api.patch(
        f"/api/v1/meetings/{host_meeting.pk}/", {**payload, "version": before.version}, format="json"
    )
    assert response.status_code == 400, response.content
    after = Meeting.objects.get(pk=host_meeting.pk)
    assert (after.version, after.target_page, after.duration_minutes, after.book_id) == (
        before.version,
        before.target_page,
        before.duration_minutes,
        before.book_id,
    )


def test_a_book_id_in_other_digits_is_not_that_book(api, member):
    club = ClubFactory(owner=member)
    book = BookFactory()
    starts = (timezone.now() + timedelta(days=3)).isoformat()
    arabic = str(book.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = api.post(
        f"/api/v1/clubs/{club.slug}/meetings/",
        {"book": arabic, "starts_at": starts, "place": "Library"},
        format="json",
    )
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_books_api_page_count_in_other_digits_is_refused(api):
    response = api.post(
        "/api/v1/books/", {"title": "The Zine", "authors": ["Ana Silva"], "page_count": "٤٨"}, format="json"
    )
    assert response.status_code == 400
    assert not Book.objects.filter(title="The Zine").exists()


def test_an_api_page_number_in_other_digits_is_an_invalid_page(api):
    for _ in range(3):
        ClubFactory()
    assert api.get("/api/v1/clubs/", {"page": "1"}).status_code == 200
    response = api.get("/api/v1/clubs/", {"page": "١"})
    assert response.status_code == 404
    assert "Invalid page" in response.json()["detail"]
    sized = api.get("/api/v1/clubs/", {"page_size": "٢"}).json()
    assert len(sized["results"]) == 3  # the default size, not 2


def test_an_html_page_number_in_other_digits_shows_the_first_page(client, member):
    from social.models import Notification, NotificationKind

    for number in range(25):
        Notification.objects.create(
            recipient=member, kind=NotificationKind.values[0], message=f"Note {number}"
        )
    client.force_login(member)
    second = client.get("/notifications/", {"page": "2"}).text
    arabic_two = client.get("/notifications/", {"page": "٢"}).text
    assert "Note 0<" in second or "Note 0" in second
    assert "Note 24" in arabic_two and "Note 0<" not in arabic_two
    directory = client.get("/clubs/", {"page": "٢"})
    assert directory.status_code == 200


# --- a PATCH that names no known field -------------------------------------------------------------


@pytest.mark.parametrize("payload", [{}, {"colour": "blue"}])
def test_a_meeting_patch_that_changes_nothing_is_a_400_and_keeps_the_version(api, host_meeting, payload):
    version = host_meeting.version
    response = api.patch(
        f"/api/v1/meetings/{host_meeting.pk}/", payload, format="json", headers={"If-Match": f'W/"{version}"'}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "no_changes"
    response = api.patch(f"/api/v1/meetings/{host_meeting.pk}/", {"version": version}, format="json")
    assert response.status_code == 400
    assert Meeting.objects.get(pk=host_meeting.pk).version == version


@pytest.mark.parametrize("payload", [{}, {"colour": "blue"}])
def test_club_and_profile_patches_that_change_nothing_are_400(api, member, payload):
    club = ClubFactory(owner=member, name="Porto Poets")
    response = api.patch(f"/api/v1/clubs/{club.slug}/", payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "no_changes"
    response = api.patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "no_changes"
    assert User.objects.get(pk=member.pk).display_name == "Ada"


def test_a_meeting_patch_with_a_real_change_still_bumps_the_version(api, host_meeting):
    version = host_meeting.version
    response = api.patch(
        f"/api/v1/meetings/{host_meeting.pk}/", {"title": "Winter read", "version": version}, format="json"
    )
    assert response.status_code == 200
    assert Meeting.objects.get(pk=host_meeting.pk).version == version + 1


@pytest.mark.parametrize("isbn", ["٠٣٠٦٤٠٦١٥٢", "９７８０３０６４０６１５７"])
def test_an_isbn_in_other_digits_is_refused_not_stored(isbn):
    form = BookForm(data={"title": "The Zine", "authors": "Ana Silva", "page_count": "48", "isbn": isbn})
    assert not form.is_valid()
    assert "isbn" in form.errors


def test_a_member_patch_without_a_role_is_a_400(api, member):
    from tests.factories import add_member

    club = ClubFactory(owner=member)
    other = add_member(club).user
    response = api.patch(
        f"/api/v1/clubs/{club.slug}/members/{other.username}/", {"colour": "blue"}, format="json"
    )
    assert response.status_code == 400
    assert club.memberships.get(user=other).role == "member"
