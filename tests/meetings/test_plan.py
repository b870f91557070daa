"""The reading plan's arithmetic (pure, with Hypothesis) and the plan as hosts set it and members see it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from booky.core.errors import DomainError
from meetings import plan, services
from meetings.models import Attendance, Meeting, Rsvp
from meetings.plan import Milestone, PlanError, check_milestones, marker_positions, plan_status
from social.models import Notification, NotificationKind
from tests.matrix import FORBIDDEN, LOGIN, OK, check_data, check_page, send_page

START = date(2026, 12, 1)
TWO = [Milestone(page=120, due=date(2026, 12, 13)), Milestone(page=240, due=date(2026, 12, 25))]


def status(page: int, today: date):
    return plan_status(TWO, plan_starts=START, today=today, current_page=page)


def test_on_plan_behind_and_ahead():
    assert status(60, date(2026, 12, 7)).summary == "On plan"
    behind = status(40, date(2026, 12, 7))
    assert behind.days_behind == 2 and behind.summary == "2 days behind the plan"
    assert behind.next_milestone == TWO[0] and behind.pages_per_day_needed == pytest.approx(13.4)
    ahead = status(80, date(2026, 12, 7))
    assert ahead.days_behind < 0 and "ahead of the plan" in ahead.summary


def test_missed_milestones_and_past_the_plan():
    late = status(100, date(2026, 12, 15))
    assert late.missed == (TWO[0],) and late.days_behind > 0
    done = status(300, date(2026, 12, 15))
    assert done.next_milestone is None and done.pages_per_day_needed is None
    due_today = status(100, date(2026, 12, 13))
    assert due_today.pages_per_day_needed == 20.0


@pytest.mark.parametrize(
    ("milestones", "message"),
    [
        ([Milestone(page=0, due=date(2026, 12, 5))], "start at page 1"),
        ([Milestone(page=400, due=date(2026, 12, 5))], "up to the target page, 300"),
        ([Milestone(page=100, due=date(2027, 1, 5))], "by the meeting's day"),
        (
            [Milestone(page=100, due=date(2026, 12, 5)), Milestone(page=90, due=date(2026, 12, 9))],
            "further into the book",
        ),
        ([Milestone(page=100, due=date(2026, 12, 5), label="x" * 81)], "at most 80"),
    ],
)
def test_bad_plans_are_refused(milestones, message):
    with pytest.raises(PlanError, match=message):
        check_milestones(milestones, target_page=300, starts_on=date(2026, 12, 30))


plans = st.lists(
    st.tuples(st.integers(1, 300), st.integers(1, 60)),
    min_size=1,
    max_size=6,
    unique_by=(lambda t: t[0], lambda t: t[1]),
)


def _milestones(pairs):
    pages = sorted(page for page, _ in pairs)
    days = sorted(day for _, day in pairs)
    return [
        Milestone(page=page, due=START + timedelta(days=day)) for page, day in zip(pages, days, strict=True)
    ]


@settings(max_examples=150, deadline=None)
@given(plans, st.integers(-5, 80), st.integers(0, 300))
def test_the_plan_behaves(pairs, offset, page):
    milestones = _milestones(pairs)
    today = START + timedelta(days=offset)
    expected = plan.expected_page_on(milestones, plan_starts=START, day=today)
    later = plan.expected_page_on(milestones, plan_starts=START, day=today + timedelta(days=1))
    assert later >= expected
    assert plan_status(milestones, plan_starts=START, today=today, current_page=expected).days_behind == 0
    mine = plan_status(milestones, plan_starts=START, today=today, current_page=page)
    further = plan_status(milestones, plan_starts=START, today=today, current_page=min(300, page + 10))
    assert further.days_behind <= mine.days_behind
    if mine.pages_per_day_needed is not None and mine.next_milestone is not None:
        days_left = max(1, (mine.next_milestone.due - today).days)
        assert mine.pages_per_day_needed * days_left >= mine.next_milestone.page - page - 1e-9
    percents = [percent for _, percent in marker_positions(milestones, 300)]
    assert percents == sorted(percents) and all(0 <= p <= 100 for p in percents)


# The plan on the site --------------------------------------------------------------------------------

HOSTS = {"owner": OK, "moderator": OK, "member": FORBIDDEN, "outsider": FORBIDDEN, "anonymous": LOGIN}


def _lines(meeting) -> str:
    first = (timezone.localdate() + timedelta(days=2)).isoformat()
    second = (timezone.localdate() + timedelta(days=5)).isoformat()
    return f"100, {first}, Part one\n200, {second}"


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("role", list(HOSTS))
def test_who_sets_the_plan(client, cast, meeting, role, htmx):
    if role != "anonymous":
        client.force_login(cast.user_for(role))
    before = Meeting.objects.values_list("reading_plan", flat=True).get(pk=meeting.pk)
    url = reverse("meetings:plan", args=[meeting.pk])
    response = send_page(client, "post", url, {"milestones": _lines(meeting)}, htmx=htmx, current_url=url)
    check_page(response, HOSTS[role], htmx=htmx)
    after = Meeting.objects.values_list("reading_plan", flat=True).get(pk=meeting.pk)
    check_data(before, after, outcome=HOSTS[role], changes_data=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "write the page, then the date"),
        ("100, tomorrow", "is not a date"),
        ("999, 2026-12-20", "up to the target page"),
    ],
)
def test_bad_plans_on_the_page_say_why(client, cast, meeting, text, message):
    client.force_login(cast.owner)
    response = client.post(reverse("meetings:plan", args=[meeting.pk]), {"milestones": text})
    assert response.status_code == 422 and message in response.text.replace("&quot;", '"')
    assert Meeting.objects.get(pk=meeting.pk).reading_plan == []


@pytest.mark.django_db
def test_members_see_the_plan_on_the_race_and_where_they_stand(client, cast, meeting):
    milestones = [
        Milestone(page=100, due=timezone.localdate() - timedelta(days=1)),
        Milestone(page=200, due=timezone.localdate() + timedelta(days=3)),
    ]
    services.meeting_plan_set(actor=cast.owner, meeting=meeting, milestones=milestones)
    Meeting.objects.filter(pk=meeting.pk).update(plan_set_on=timezone.localdate() - timedelta(days=10))
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=30)
    client.force_login(cast.member)
    page = client.get(meeting.get_absolute_url())
    assert "race-milestone" in page.text and "behind the plan" in page.text
    plan_page = client.get(reverse("meetings:plan", args=[meeting.pk]))
    assert "behind the plan" in plan_page.text and "Set a plan" not in plan_page.text
    with pytest.raises(DomainError):
        services.meeting_plan_set(actor=cast.member, meeting=meeting, milestones=[])


@pytest.mark.django_db
def test_members_behind_a_missed_milestone_are_nudged_once(cast, meeting):
    services.meeting_plan_set(
        actor=cast.owner,
        meeting=meeting,
        milestones=[Milestone(page=100, due=timezone.localdate() + timedelta(days=1))],
    )
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    Attendance.objects.create(meeting=meeting, user=cast.moderator, rsvp=Rsvp.GOING, current_page=150)
    later = timezone.now() + timedelta(days=2, hours=1)
    assert services.send_plan_nudges(now=later) == 1
    assert services.send_plan_nudges(now=later + timedelta(hours=3)) == 0
    nudge = Notification.objects.get(kind=NotificationKind.BEHIND_PLAN)
    assert nudge.recipient == cast.member and "page 100" in nudge.message
