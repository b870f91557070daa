"""Scheduling, editing, cancelling meetings through the HTML forms."""

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, MeetingStatus
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
NEXT_YEAR = timezone.now().year + 1


def _new_url(club):
    return f"/clubs/{club.slug}/meetings/new/"


def _data(chosen_book, **overrides):
    data = {
        "book": str(chosen_book.pk),
        "title": "",
        "starts_at": f"{NEXT_YEAR}-06-04T19:00",
        "duration_minutes": "90",
        "place": "Library, room 2",
        "online_link": "",
        "target_page": "",
        "description": "Bring snacks.",
    }
    data.update(overrides)
    return data


def test_schedule_form_page_with_the_book_picker(client, cast):
    client.force_login(cast.moderator)
    response = client.get(_new_url(cast.club))
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Schedule a meeting" in response.text
    assert 'class="book-picker"' in response.text
    assert 'type="datetime-local"' in response.text
    assert "Your local time (UTC)" in response.text


def test_schedule_form_fragment(client, cast):
    client.force_login(cast.moderator)
    response = client.get(_new_url(cast.club), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<form id="meeting-form"')


def test_meeting_created_at_19_berlin_shows_13_in_new_york(client, cast):
    book = BookFactory(page_count=250)
    cast.moderator.timezone = "Europe/Berlin"
    cast.moderator.save()
    client.force_login(cast.moderator)

    response = client.post(_new_url(cast.club), _data(book, starts_at=f"{NEXT_YEAR}-01-15T19:00"), headers=HX)

    meeting = Meeting.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/meetings/{meeting.pk}/"
    assert meeting.starts_at == datetime(NEXT_YEAR, 1, 15, 18, 0, tzinfo=UTC)
    assert meeting.target_page == 250 and meeting.duration_minutes == 90
    assert meeting.created_by == cast.moderator

    cast.member.timezone = "America/New_York"
    cast.member.save()
    client.force_login(cast.member)
    page = client.get(f"/meetings/{meeting.pk}/")
    # The meeting keeps its host's zone: New York sees Berlin's time first, then their own.
    assert meeting.timezone == "Europe/Berlin"
    assert f"15 January {NEXT_YEAR}, 19:00 in Berlin, 13:00 your time" in page.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": "2001-01-01T10:00"}, "A meeting must start in the future."),
        ({"starts_at": "tomorrow"}, "Enter the date and time"),
        ({"target_page": "301"}, "beyond the book&#x27;s last page (300)"),
        ({"target_page": "-4"}, "The target page must be at least 1."),
        ({"online_link": "javascript:alert(1)"}, "Enter a full link"),
        ({"online_link": "ftp://example.com/room"}, "Online links must start with http:// or https://."),
        ({"place": "", "online_link": ""}, "Give a place, an online link, or both."),
        ({"book": ""}, "Choose a book."),
        ({"book": "999999"}, "That book is not in Booky any more"),
        ({"duration_minutes": "0"}, "A meeting lasts at least 1 minute."),
    ],
    ids=[
        "past", "not-a-date", "target-beyond-book", "negative-target", "javascript-link", "ftp-link",
        "no-place", "no-book", "unknown-book", "zero-duration",
    ],
)  # fmt: skip
def test_bad_meeting_input_is_422_with_a_clear_message_and_nothing_saved(client, cast, overrides, message):
    book = BookFactory(page_count=300)
    client.force_login(cast.moderator)
    response = client.post(_new_url(cast.club), _data(book, **overrides), headers=HX)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert message in response.text
    assert not Meeting.objects.exists()


def test_a_time_that_does_not_exist_in_the_users_timezone_is_refused(client, cast):
    cast.moderator.timezone = "Europe/Berlin"
    cast.moderator.save()
    client.force_login(cast.moderator)
    # Clocks jump from 02:00 to 03:00 on the last Sunday of March.
    last_sunday = max(
        day for day in (datetime(NEXT_YEAR, 3, d) for d in range(25, 32)) if day.weekday() == 6
    ).date()
    response = client.post(
        _new_url(cast.club), _data(BookFactory(), starts_at=f"{last_sunday}T02:30"), headers=HX
    )
    assert response.status_code == 422
    assert "may be ambiguous or it may not exist" in response.text
    assert not Meeting.objects.exists()


def test_invalid_schedule_without_htmx_is_the_full_page_with_422(client, cast):
    client.force_login(cast.moderator)
    response = client.post(_new_url(cast.club), _data(BookFactory(), starts_at=""))
    assert response.status_code == 422
    assert "<html" in response.text
    assert "When does the meeting start?" in response.text


def test_only_owner_and_moderators_schedule(client, cast):
    client.force_login(cast.member)
    assert client.get(_new_url(cast.club)).status_code == 403
    assert client.post(_new_url(cast.club), _data(BookFactory())).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(_new_url(cast.club), _data(BookFactory())).status_code == 403
    client.logout()
    response = client.post(_new_url(cast.club), _data(BookFactory()))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Meeting.objects.exists()


def test_picker_search_without_javascript_keeps_what_was_typed(client, cast):
    BookFactory(title="Middlemarch")
    client.force_login(cast.moderator)
    response = client.get(
        _new_url(cast.club), {"book_q": "Middlemarch", "place": "Attic", "title": "Spring read"}
    )
    assert response.status_code == 200
    assert "Middlemarch" in response.text
    assert 'value="Attic"' in response.text and 'value="Spring read"' in response.text


class _SubmitButtons(HTMLParser):
    """The submit buttons of one form, in document order (the first is the one Enter presses)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.depth, self.buttons = form_id, 0, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.depth += 1 if (self.depth or attributes.get("id") == self.form_id) else 0
        elif self.depth and tag in ("button", "input"):
            default = "submit" if tag == "button" else "text"
            if attributes.get("type", default) == "submit":
                self.buttons.append(attributes)

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1


def _first_submit_button(html: str) -> dict:
    parser = _SubmitButtons("meeting-form")
    parser.feed(html)
    assert len(parser.buttons) >= 2, parser.buttons  # save and the picker's "Find"
    return parser.buttons[0]


@pytest.mark.parametrize("page", ["new", "edit"])
def test_enter_in_the_meeting_form_saves_it_rather_than_searching_books(client, cast, meeting, page):
    client.force_login(cast.owner)
    url = _new_url(cast.club) if page == "new" else f"/meetings/{meeting.pk}/edit/"
    response = client.get(url, {"book_q": "Dune"} if page == "new" else {})
    first = _first_submit_button(response.text)
    # Implicit submission (Enter in a text field) clicks this button: it must post the form as it is.
    assert "formmethod" not in first and "formaction" not in first and "name" not in first
    assert "disabled" not in first


# --- edit -------------------------------------------------------------------------------------------


def test_edit_form_shows_local_time_and_the_version(client, cast, meeting):
    meeting.starts_at = datetime(NEXT_YEAR, 7, 1, 17, 30, tzinfo=UTC)
    meeting.save()
    cast.owner.timezone = "Europe/Lisbon"
    cast.owner.save()
    client.force_login(cast.owner)
    response = client.get(f"/meetings/{meeting.pk}/edit/")
    assert response.status_code == 200
    assert f'value="{NEXT_YEAR}-07-01T18:30"' in response.text
    assert f'name="version" value="{meeting.version}"' in response.text
    fragment = client.get(f"/meetings/{meeting.pk}/edit/", headers=HX)
    assert "<html" not in fragment.text and 'id="meeting-form"' in fragment.text


def _edit_data(meeting, **overrides):
    local = meeting.starts_at.astimezone(UTC)
    data = _data(
        meeting.book,
        starts_at=local.strftime("%Y-%m-%dT%H:%M"),
        place=meeting.place,
        target_page=str(meeting.target_page),
        version=str(meeting.version),
    )
    data.update(overrides)
    return data


def test_edit_saves_and_redirects(client, cast, meeting):
    client.force_login(cast.moderator)
    response = client.post(f"/meetings/{meeting.pk}/edit/", _edit_data(meeting, place="Moved to the park"))
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    meeting.refresh_from_db()
    assert meeting.place == "Moved to the park" and meeting.version == 2


def test_edit_with_a_stale_version_is_409_showing_the_current_values(client, cast, meeting):
    client.force_login(cast.moderator)
    stale = _edit_data(meeting, place="My change")
    services.meeting_update(actor=cast.owner, meeting=meeting, expected_version=1, place="Their change")

    response = client.post(f"/meetings/{meeting.pk}/edit/", stale, headers=HX)

    assert response.status_code == 409
    assert "<html" not in response.text
    assert "Someone else changed this meeting while you were editing." in response.text
    assert 'value="Their change"' in response.text
    assert 'name="version" value="2"' in response.text
    meeting.refresh_from_db()
    assert meeting.place == "Their change"


def test_edit_with_invalid_input_is_422(client, cast, meeting):
    client.force_login(cast.moderator)
    response = client.post(f"/meetings/{meeting.pk}/edit/", _edit_data(meeting, target_page="0"), headers=HX)
    assert response.status_code == 422
    assert "The target page must be at least 1." in response.text


def test_edit_of_a_cancelled_meeting_is_409(client, cast, meeting):
    services.meeting_cancel(actor=cast.owner, meeting=meeting)
    meeting.refresh_from_db()
    client.force_login(cast.moderator)
    response = client.post(f"/meetings/{meeting.pk}/edit/", _edit_data(meeting), headers=HX)
    assert response.status_code == 409
    assert "cancelled and can no longer be edited" in response.text


def test_members_cannot_edit(client, cast, meeting):
    client.force_login(cast.member)
    assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 403
    assert client.post(f"/meetings/{meeting.pk}/edit/", _edit_data(meeting)).status_code == 403


# --- cancel -----------------------------------------------------------------------------------------


def test_cancel_page_fragment_and_cancel_with_a_reason(client, cast, meeting):
    client.force_login(cast.owner)
    page = client.get(f"/meetings/{meeting.pk}/cancel/")
    assert page.status_code == 200 and "<html" in page.text and "Cancel the meeting?" in page.text
    fragment = client.get(f"/meetings/{meeting.pk}/cancel/", headers=HX)
    assert "<html" not in fragment.text and 'id="cancel-form"' in fragment.text

    response = client.post(
        f"/meetings/{meeting.pk}/cancel/", {"reason": "The author is visiting next month"}, headers=HX
    )
    assert response["HX-Redirect"] == f"/meetings/{meeting.pk}/"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "The author is visiting next month"


def test_cancel_with_a_too_long_reason_is_422(client, cast, meeting):
    client.force_login(cast.owner)
    response = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "x" * 501}, headers=HX)
    assert response.status_code == 422
    assert "Keep the reason under 500 characters." in response.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_cancelling_twice_is_409(client, cast, meeting):
    services.meeting_cancel(actor=cast.owner, meeting=meeting)
    client.force_login(cast.owner)
    response = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": ""}, headers=HX)
    assert response.status_code == 409
    assert "already cancelled" in response.text


def test_members_cannot_cancel(client, cast, meeting):
    client.force_login(cast.member)
    assert client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": ""}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
