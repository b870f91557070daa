"""The hosts' planning over the API: the reading plan, announcements, and each member's reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clubs.models import Visibility
from meetings import services
from meetings.models import Meeting, MeetingAnnouncement, MeetingStatus, ReminderPreference, Rsvp
from meetings.plan import Milestone
from social.models import Notification, NotificationKind
from tests.factories import ClubFactory, MeetingFactory, add_member
from tests.matrix import FORBIDDEN, LOGIN, MISSING, OK, check_api, check_data, send_api

HOSTS = {"owner": OK, "moderator": OK, "member": FORBIDDEN, "outsider": FORBIDDEN, "anonymous": LOGIN}


def milestones_payload(*pairs) -> dict:
    today = timezone.localdate()
    return {
        "milestones": [
            {"page": page, "due": (today + timedelta(days=days)).isoformat(), "label": label}
            for page, days, label in pairs
        ]
    }


def plan_of(meeting) -> list:
    return Meeting.objects.values_list("reading_plan", flat=True).get(pk=meeting.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOSTS))
def test_who_sets_the_plan_over_the_api(cast, meeting, role):
    before = plan_of(meeting)
    payload = milestones_payload((100, 2, "Part one"), (200, 5, ""))
    response = send_api(cast.user_for(role), "put", f"/api/v1/meetings/{meeting.pk}/plan/", payload)
    check_api(response, HOSTS[role])
    check_data(before, plan_of(meeting), outcome=HOSTS[role], changes_data=True)
    if HOSTS[role] == OK:
        body = response.json()
        assert [(m["page"], m["label"]) for m in body["milestones"]] == [(100, "Part one"), (200, "")]
        assert body["target_page"] == meeting.target_page and body["set_on"] is not None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "moderator", "member", "outsider", "anonymous"])
def test_everyone_who_sees_the_meeting_reads_its_plan(cast, meeting, role):
    services.meeting_plan_set(
        actor=cast.owner, meeting=meeting, milestones=[Milestone(page=120, due=timezone.localdate())]
    )
    response = send_api(cast.user_for(role), "get", f"/api/v1/meetings/{meeting.pk}/plan/", None)
    assert response.status_code == 200
    assert [m["page"] for m in response.json()["milestones"]] == [120]


@pytest.mark.django_db
def test_a_private_clubs_plan_is_missing_for_outsiders(cast):
    meeting = MeetingFactory(club=ClubFactory(visibility=Visibility.PRIVATE))
    response = send_api(cast.outsider, "get", f"/api/v1/meetings/{meeting.pk}/plan/", None)
    check_api(response, MISSING)


@pytest.mark.django_db
def test_a_member_going_sees_where_they_stand(cast, meeting):
    services.meeting_plan_set(
        actor=cast.owner,
        meeting=meeting,
        milestones=[
            Milestone(page=100, due=timezone.localdate() - timedelta(days=1)),
            Milestone(page=200, due=timezone.localdate() + timedelta(days=3), label="Part two"),
        ],
    )
    Meeting.objects.filter(pk=meeting.pk).update(plan_set_on=timezone.localdate() - timedelta(days=10))
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=30)
    mine = send_api(cast.member, "get", f"/api/v1/meetings/{meeting.pk}/plan/", None).json()["mine"]
    assert mine["days_behind"] > 0 and "behind the plan" in mine["summary"]
    # The next milestone is the first the member has not reached: the missed one, page 100.
    assert mine["next_milestone"]["page"] == 100
    assert mine["pages_per_day_needed"] > 0
    # Not going: no standing.
    assert (
        send_api(cast.moderator, "get", f"/api/v1/meetings/{meeting.pk}/plan/", None).json()["mine"] is None
    )


@pytest.mark.django_db
def test_an_empty_list_clears_the_plan(cast, meeting):
    services.meeting_plan_set(
        actor=cast.owner, meeting=meeting, milestones=[Milestone(page=120, due=timezone.localdate())]
    )
    response = send_api(cast.owner, "put", f"/api/v1/meetings/{meeting.pk}/plan/", {"milestones": []})
    assert response.status_code == 200 and response.json()["milestones"] == []
    assert plan_of(meeting) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({}, "milestones"),
        ({"milestones": "page 100"}, "milestones"),
        ({"milestones": [{"page": "x", "due": "2026-12-20"}]}, "page"),
        ({"milestones": [{"page": 100, "due": "tomorrow"}]}, "due"),
        ({"milestones": [{"page": 10**30, "due": "2026-12-20"}]}, "page"),
        ({"milestones": [{"page": 100, "due": "2026-12-20", "label": "x" * 81}]}, "label"),
        ({"milestones": [{"page": 100, "due": "2026-12-20", "label": "a\x00b"}]}, "label"),
    ],
)
def test_bad_plans_are_400_with_the_field_and_change_nothing(cast, meeting, payload, fragment):
    response = send_api(cast.owner, "put", f"/api/v1/meetings/{meeting.pk}/plan/", payload)
    assert response.status_code == 400, response.content
    assert fragment in response.content.decode()
    assert plan_of(meeting) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (((999, 2, ""),), "up to the target page"),
        (((100, 30, ""),), "by the meeting's day"),
        (((200, 2, ""), (100, 4, "")), "further into the book"),
        (((100, -400, ""),), "at most a year before today"),
    ],
)
def test_plans_the_rules_refuse_say_why(cast, meeting, pairs, message):
    response = send_api(cast.owner, "put", f"/api/v1/meetings/{meeting.pk}/plan/", milestones_payload(*pairs))
    assert response.status_code == 400
    assert message in response.json()["detail"] and response.json()["code"] == "invalid_plan"
    assert plan_of(meeting) == []


@pytest.mark.django_db
def test_a_cancelled_meetings_plan_cannot_change(cast, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    response = send_api(
        cast.owner, "put", f"/api/v1/meetings/{meeting.pk}/plan/", milestones_payload((100, 2, ""))
    )
    assert response.status_code == 409 and response.json()["code"] == "not_scheduled"


# --- announcements -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOSTS))
def test_who_sends_announcements_over_the_api(cast, meeting, role):
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    before = MeetingAnnouncement.objects.count()
    response = send_api(
        cast.user_for(role),
        "post",
        f"/api/v1/meetings/{meeting.pk}/announcements/",
        {"message": "Bring snacks"},
    )
    check_api(response, HOSTS[role])
    check_data(before, MeetingAnnouncement.objects.count(), outcome=HOSTS[role], changes_data=True)
    if HOSTS[role] == OK:
        assert response.status_code == 201 and response.json() == {"sent": 1}
        assert Notification.objects.filter(
            recipient=cast.member,
            kind=NotificationKind.MEETING_ANNOUNCEMENT,
            message__contains="Bring snacks",
        ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status"),
    [({}, 400), ({"message": ""}, 400), ({"message": "x" * 501}, 400), ({"message": ["a"]}, 400)],
)
def test_bad_announcements_change_nothing(cast, meeting, payload, status):
    response = send_api(cast.owner, "post", f"/api/v1/meetings/{meeting.pk}/announcements/", payload)
    assert response.status_code == status, response.content
    assert MeetingAnnouncement.objects.count() == 0


@pytest.mark.django_db
def test_the_fourth_announcement_of_a_day_is_refused(cast, meeting):
    url = f"/api/v1/meetings/{meeting.pk}/announcements/"
    for number in range(3):
        assert send_api(cast.owner, "post", url, {"message": f"Note {number}"}).status_code == 201
    refused = send_api(cast.owner, "post", url, {"message": "One more"})
    assert refused.status_code == 409 and refused.json()["code"] == "too_many_announcements"
    assert MeetingAnnouncement.objects.count() == 3


# --- reminders -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_reminders_list_my_clubs_with_their_defaults_until_i_choose(cast):
    other = ClubFactory(name="Zebra readers")
    add_member(other, cast.member)
    response = send_api(cast.member, "get", "/api/v1/me/reminders/", None)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["club"] for row in rows} == {cast.club.slug, other.slug}
    assert all(row["uses_club_default"] for row in rows)

    chosen = send_api(
        cast.member, "put", f"/api/v1/me/reminders/{cast.club.slug}/", {"leads": ["hour", "week"]}
    )
    assert chosen.status_code == 200
    assert chosen.json()["uses_club_default"] is False and set(chosen.json()["leads"]) == {"hour", "week"}
    assert ReminderPreference.objects.get(user=cast.member, club=cast.club).leads
    none = send_api(cast.member, "put", f"/api/v1/me/reminders/{cast.club.slug}/", {"leads": []})
    assert none.status_code == 200 and none.json()["leads"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("moderator", 200), ("member", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_who_chooses_reminders_for_a_club(cast, role, status):
    response = send_api(
        cast.user_for(role), "put", f"/api/v1/me/reminders/{cast.club.slug}/", {"leads": ["day"]}
    )
    assert response.status_code == status, response.content
    assert ReminderPreference.objects.filter(club=cast.club).count() == (1 if status == 200 else 0)


@pytest.mark.django_db
def test_anonymous_has_no_reminders():
    assert send_api(None, "get", "/api/v1/me/reminders/", None).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload", [{}, {"leads": "day"}, {"leads": ["fortnight"]}, {"leads": ["day"] * 4}, {"leads": [None]}]
)
def test_bad_reminder_choices_are_400_and_change_nothing(cast, payload):
    response = send_api(cast.member, "put", f"/api/v1/me/reminders/{cast.club.slug}/", payload)
    assert response.status_code == 400, response.content
    assert not ReminderPreference.objects.filter(user=cast.member).exists()
