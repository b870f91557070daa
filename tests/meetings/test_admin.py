"""The moderators' admin for meetings: changelists, search and filters, actions and edits that go
through the services (edits with the version the form was loaded with)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

MEETINGS = "/admin/meetings/meeting/"
ATTENDANCES = "/admin/meetings/attendance/"


def run_action(client, action: str, rows) -> str:
    response = client.post(
        MEETINGS, {"action": action, "_selected_action": [row.pk for row in rows]}, follow=True
    )
    assert response.status_code == 200
    return response.text


def change_form_data(meeting: Meeting, **overrides) -> dict:
    starts = timezone.localtime(meeting.starts_at)
    data = {
        "book": meeting.book_id,
        "title": meeting.title,
        "description": meeting.description,
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "online_link": meeting.online_link,
        "target_page": meeting.target_page,
        "version": meeting.version,
        "ProgressEntry-TOTAL_FORMS": 0,
    }
    data.update(overrides)
    return data


# Changelists ---------------------------------------------------------------------------------------


def test_the_meeting_changelist_shows_club_book_start_and_status_and_searches(admin_client):
    harbour = MeetingFactory(club=ClubFactory(name="Harbour Readers"), book=BookFactory(title="Moby-Dick"))
    MeetingFactory(club=ClubFactory(name="Night Owls"), book=BookFactory(title="Dracula"))

    everything = admin_client.get(MEETINGS)
    by_book = admin_client.get(MEETINGS, {"q": "moby"})
    by_club = admin_client.get(MEETINGS, {"q": "night owls"})

    assert everything.status_code == 200
    assert "Harbour Readers" in everything.text and "Night Owls" in everything.text
    assert '<td class="field-status">Scheduled</td>' in everything.text
    assert "Moby-Dick" in by_book.text and "Dracula" not in by_book.text
    assert "Dracula" in by_club.text and "Moby-Dick" not in by_club.text
    assert f"/admin/meetings/meeting/{harbour.pk}/change/" in by_book.text


def test_the_meeting_changelist_filters_by_status_and_club(admin_client):
    club = ClubFactory(name="Lisbon Lit")
    MeetingFactory(club=club, book=BookFactory(title="Emma"))
    MeetingFactory(book=BookFactory(title="Persuasion"), status=MeetingStatus.CANCELLED)

    cancelled = admin_client.get(MEETINGS, {"status__exact": "cancelled"})
    of_club = admin_client.get(MEETINGS, {"club__id__exact": club.pk})

    assert "Persuasion" in cancelled.text and "Emma" not in cancelled.text
    assert "Emma" in of_club.text and "Persuasion" not in of_club.text


def test_meetings_cannot_be_added_or_deleted_in_the_admin(admin_client, meeting):
    assert admin_client.get(f"{MEETINGS}add/").status_code == 403
    assert admin_client.post(f"{MEETINGS}{meeting.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_the_attendance_changelist_is_read_only_and_filters_by_rsvp(admin_client, cast, meeting):
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_rsvp(user=cast.moderator, meeting=meeting, rsvp=Rsvp.DECLINED)

    going = admin_client.get(ATTENDANCES, {"rsvp__exact": "going"})
    searched = admin_client.get(ATTENDANCES, {"q": cast.moderator.username})

    assert going.status_code == 200
    assert cast.member.username in going.text and cast.moderator.username not in going.text
    assert cast.moderator.username in searched.text and cast.member.username not in searched.text
    assert admin_client.get(f"{ATTENDANCES}add/").status_code == 403


def test_an_attendance_shows_its_progress_history_without_a_way_to_change_it(admin_client, cast, meeting):
    for page in (40, 120, 300):
        services.attendance_progress(user=cast.member, meeting=meeting, current_page=page)
    attendance = Attendance.objects.get(meeting=meeting, user=cast.member)

    page = admin_client.get(f"{ATTENDANCES}{attendance.pk}/change/")
    refused = admin_client.post(
        f"{ATTENDANCES}{attendance.pk}/change/", {"current_page": 1, "rsvp": "declined"}
    )

    assert page.status_code == 200
    history = page.text.split("Progress entries", 1)[1]
    assert history.index("300") < history.index("120") < history.index("40")  # latest first
    assert 'name="_save"' not in page.text
    assert refused.status_code == 403
    attendance.refresh_from_db()
    assert (attendance.current_page, attendance.rsvp) == (300, Rsvp.GOING)


# Actions -------------------------------------------------------------------------------------------


def test_cancel_action_cancels_through_the_service_and_reports_refusals(admin_client):
    upcoming = MeetingFactory()
    done = MeetingFactory(status=MeetingStatus.COMPLETED)

    text = run_action(admin_client, "cancel_meetings", [upcoming, done])

    upcoming.refresh_from_db()
    assert upcoming.status == MeetingStatus.CANCELLED
    assert upcoming.cancel_reason == "Cancelled by the site moderators."
    assert upcoming.version == 2
    assert "Cancelled: 1." in text
    assert "already completed" in text
    assert Meeting.objects.get(pk=done.pk).status == MeetingStatus.COMPLETED


def test_complete_action_only_completes_meetings_that_started(admin_client):
    started = MeetingFactory(starts_at=timezone.now() - timedelta(hours=3))
    upcoming = MeetingFactory()

    text = run_action(admin_client, "complete_meetings", [started, upcoming])

    assert Meeting.objects.get(pk=started.pk).status == MeetingStatus.COMPLETED
    assert Meeting.objects.get(pk=upcoming.pk).status == MeetingStatus.SCHEDULED
    assert "Completed: 1." in text
    assert "only after it has started" in text


def test_staff_without_the_meeting_permission_cannot_act(client, meeting):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.post(MEETINGS, {"action": "cancel_meetings", "_selected_action": [meeting.pk]})
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED


# Editing with the version --------------------------------------------------------------------------


def test_an_edit_goes_through_the_service_and_bumps_the_version(admin_client, cast, meeting):
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=200)

    response = admin_client.post(
        f"{MEETINGS}{meeting.pk}/change/", change_form_data(meeting, place="Garden", target_page=150)
    )

    assert response.status_code == 302, response.text
    meeting.refresh_from_db()
    assert (meeting.place, meeting.target_page, meeting.version) == ("Garden", 150, 2)
    # The service's rule ran: lowering the target finishes whoever is past it.
    assert Attendance.objects.get(meeting=meeting, user=cast.member).finished


def test_an_edit_from_a_stale_form_shows_the_current_values_and_changes_nothing(admin_client, cast, meeting):
    stale_form = change_form_data(meeting, place="Garden")
    services.meeting_update(actor=cast.owner, meeting=meeting, expected_version=1, place="Host's café")

    response = admin_client.post(f"{MEETINGS}{meeting.pk}/change/", stale_form)

    assert response.status_code == 200
    assert "Someone else changed this meeting" in response.text
    assert "Host&#x27;s café" in response.text
    meeting.refresh_from_db()
    assert (meeting.place, meeting.version) == ("Host's café", 2)


def test_an_edit_the_rules_refuse_is_a_form_error(admin_client, meeting):
    response = admin_client.post(
        f"{MEETINGS}{meeting.pk}/change/", change_form_data(meeting, target_page=9999)
    )

    assert response.status_code == 200
    assert "beyond the book" in response.text
    meeting.refresh_from_db()
    assert (meeting.target_page, meeting.version) == (300, 1)
