"""A member who reaches the target after the meeting started "finished late": recorded with its date,
shown apart (never the in-time tick) on the race, the attendee list, the API and the feed, and no
finisher of the race for bets and awards. An in-time finish stays once the meeting has started."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bets import services as bet_services
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from booky.core.errors import Conflict
from meetings import services
from meetings.models import Attendance, FinishStatus, Meeting, Rsvp
from tests.factories import MeetingFactory
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def started(cast):
    """A meeting that started ten minutes ago: the moderator finished before, the member is at p. 200."""
    meeting = MeetingFactory(club=cast.club)
    for user in (cast.owner, cast.moderator, cast.member):
        bet_services.account_open(user=user)
        services.attendance_rsvp(user=user, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_progress(user=cast.moderator, meeting=meeting, finished=True)
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=200)
    _start(meeting, ago=timedelta(minutes=10))
    Attendance.objects.filter(meeting=meeting, user=cast.moderator).update(
        finished_at=meeting.starts_at - timedelta(hours=1)
    )
    return meeting


def _start(meeting, *, ago: timedelta) -> None:
    """Move the start into the past (finishes recorded so far stay before it)."""
    starts_at = timezone.now() - ago
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    meeting.refresh_from_db()


def _page(meeting, action=""):
    return f"/meetings/{meeting.pk}/{action}"


def _api(meeting, action=""):
    return f"/api/v1/meetings/{meeting.pk}/{action}"


def _api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _attendance(meeting, user) -> Attendance:
    return Attendance.objects.select_related("meeting").get(meeting=meeting, user=user)


# --- the rule ---------------------------------------------------------------------------------------


def test_finishing_after_the_start_is_recorded_as_late(cast, started):
    attendance = services.attendance_progress(user=cast.member, meeting=started, finished=True)

    assert attendance.finished and attendance.finished_at > started.starts_at
    assert attendance.finish_status == FinishStatus.LATE
    assert _attendance(started, cast.moderator).finish_status == FinishStatus.IN_TIME
    assert _attendance(started, cast.owner).finish_status is None


def test_an_in_time_finish_cannot_be_taken_back_after_the_start(cast, started):
    with pytest.raises(Conflict, match="race is decided") as refused:
        services.attendance_progress(user=cast.moderator, meeting=started, current_page=10)
    assert refused.value.code == "race_decided"
    attendance = _attendance(started, cast.moderator)
    assert attendance.current_page == started.target_page and attendance.finished_in_time
    # Saying "finished" again changes nothing and is no error.
    services.attendance_progress(user=cast.moderator, meeting=started, finished=True)


def test_a_late_finish_wins_no_bet_and_no_finishing_award(cast, started):
    # Bets placed before the start: the owner backs the member, the member backs the moderator.
    late_bet = Bet.objects.create(meeting=started, bettor=cast.owner, horse=cast.member, amount=30)
    in_time_bet = Bet.objects.create(meeting=started, bettor=cast.member, horse=cast.moderator, amount=10)
    for bet in (late_bet, in_time_bet):
        account = Account.objects.get(user=bet.bettor)
        bet_services._post(account=account, amount=-bet.amount, reason=Reason.STAKE, meeting=started, bet=bet)
    services.attendance_progress(user=cast.member, meeting=started, finished=True)  # after the start

    assert bet_services.meeting_resolve_bets(meeting_id=started.pk)

    late_bet.refresh_from_db()
    in_time_bet.refresh_from_db()
    assert (late_bet.status, late_bet.payout) == (BetStatus.LOST, 0)
    assert (in_time_bet.status, in_time_bet.payout) == (BetStatus.WON, 40)
    awarded = set(LedgerEntry.objects.filter(reason=Reason.FINISHED).values_list("account__user", flat=True))
    assert awarded == {cast.moderator.pk}


def test_finishing_late_before_or_after_settlement_gives_the_same_result(cast, started):
    services.attendance_progress(user=cast.member, meeting=started, finished=True)
    assert bet_services.meeting_resolve_bets(meeting_id=started.pk)
    balances = dict(Account.objects.values_list("user", "balance"))

    other = MeetingFactory(club=cast.club)
    for user in (cast.owner, cast.moderator, cast.member):
        services.attendance_rsvp(user=user, meeting=other, rsvp=Rsvp.GOING)
    _start(other, ago=timedelta(minutes=1))
    assert bet_services.meeting_resolve_bets(meeting_id=other.pk)  # nobody finished in time
    services.attendance_progress(user=cast.member, meeting=other, finished=True)

    assert dict(Account.objects.values_list("user", "balance")) == balances
    assert not LedgerEntry.objects.filter(meeting=other, reason=Reason.FINISHED).exists()


# --- pages and fragments ------------------------------------------------------------------------------


def _race_of(html: str) -> str:
    return html.split('id="race"')[1].split("</section>")[0]


def test_the_race_and_attendee_list_mark_a_late_finisher_apart(client, cast, started):
    services.attendance_progress(user=cast.member, meeting=started, finished=True)
    client.force_login(cast.owner)

    race = _race_of(client.get(_page(started)).text)

    assert "3 going · 1 finished · 1 finished late" in race
    assert f'class="runner late" data-runner="{cast.member.username}" data-percent="100"' in race
    assert f'class="runner finished" data-runner="{cast.moderator.username}"' in race
    svg_label = race.split(f'data-runner="{cast.member.username}"')[1].split("</li>")[0]
    assert "finished late" in svg_label and "✓" not in svg_label
    attendees = race.split('id="attendees"')[1]
    member_row = attendees.split(cast.member.name)[1].split("</li>")[0]
    assert "Finished late" in member_row and 'badge owner">Finished<' not in member_row
    moderator_row = attendees.split(cast.moderator.name)[1].split("</li>")[0]
    assert 'badge owner">Finished<' in moderator_row


def test_the_polled_race_fragment_marks_a_late_finisher_apart(client, cast, started):
    services.attendance_progress(user=cast.member, meeting=started, finished=True)

    response = client.get(_page(started), headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    assert f'class="runner late" data-runner="{cast.member.username}"' in response.text
    assert "1 finished late" in response.text


def test_i_finished_it_after_the_start_says_late_in_the_fragment(client, cast, started):
    client.force_login(cast.member)
    page = client.get(_page(started)).text
    assert "a finish now is recorded as late" in page

    response = client.post(_page(started, "progress/"), {"finished": "1"}, headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    assert "recorded as a late finish" in response.text
    assert '<span class="badge late">Finished late</span>' in response.text
    assert "late, after the meeting started" in response.text
    # The race comes along out of band in the same response, with the late mark.
    race = response.text[response.text.index('<section id="race"') :]
    assert 'data-hx-swap-oob="true"' in race.split(">", 1)[0]
    assert "finished late" in race
    assert _attendance(started, cast.member).finished_late


def test_i_finished_it_after_the_start_without_htmx_redirects_with_the_late_message(client, cast, started):
    client.force_login(cast.member)

    response = client.post(_page(started, "progress/"), {"finished": "1"}, follow=True)

    assert response.redirect_chain[-1][0].endswith("#progress")
    assert "recorded as a late finish" in response.text


def test_an_in_time_finisher_sees_the_race_is_decided_and_cannot_undo_it(client, cast, started):
    client.force_login(cast.moderator)
    page = client.get(_page(started)).text
    progress = page.split('id="progress"')[1].split("</article>")[0]
    assert "The race is decided and your finish stays." in progress
    assert 'id="progress-form"' not in progress

    response = client.post(_page(started, "progress/"), {"current_page": "10", "version": "2"}, headers=HX)

    assert response.status_code == 409
    assert "the race is decided and your finish stays" in response.text
    assert _attendance(started, cast.moderator).current_page == started.target_page


def test_my_meetings_list_says_finished_late(client, cast, started):
    services.attendance_progress(user=cast.member, meeting=started, finished=True)
    client.force_login(cast.member)
    assert "· finished late" in client.get("/meetings/mine/").text


def test_the_friends_feed_says_finished_late(client, cast, started):
    services.attendance_progress(user=cast.member, meeting=started, finished=True)
    befriend(cast.owner, cast.member)
    client.force_login(cast.owner)

    feed = client.get("/").text.split('class="activity-feed"')[1].split("</ul>")[0]

    assert "finished late (after the meeting started)" in feed


# --- the API -------------------------------------------------------------------------------------------


def test_api_progress_after_the_start_answers_finish_status_late(cast, started):
    response = _api_client(cast.member).put(_api(started, "progress/"), {"finished": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["finished"] is True and body["finish_status"] == "late"
    mine = _api_client(cast.member).get(_api(started)).json()["my_attendance"]
    assert mine["finish_status"] == "late"


def test_api_attendees_tell_in_time_from_late(cast, started):
    services.attendance_progress(user=cast.member, meeting=started, finished=True)

    rows = _api_client(cast.owner).get(_api(started, "attendees/")).json()["results"]

    assert {row["username"]: row["finish_status"] for row in rows} == {
        cast.moderator.username: "in_time",
        cast.member.username: "late",
        cast.owner.username: None,
    }


def test_api_refuses_taking_back_an_in_time_finish_after_the_start(cast, started):
    response = _api_client(cast.moderator).put(_api(started, "progress/"), {"current_page": 5}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "race_decided"
    assert "race is decided" in response.json()["detail"]
    assert _attendance(started, cast.moderator).finished_in_time


def test_the_schema_documents_finish_status():
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for name in ("Attendee", "MyAttendance"):
        field = components[name]["properties"]["finish_status"]
        enum = components[field["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]
        assert enum == ["in_time", "late"] and field["nullable"] is True
        assert "after the start" in field["description"]
