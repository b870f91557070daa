"""Reminders members choose per club (a week, a day, an hour before; the club's defaults otherwise),
each sent once at its time; and the hosts' announcement to everyone going."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booky.core.errors import DomainError, NotAllowed
from clubs import services as club_services
from meetings import services
from meetings.models import Attendance, MeetingAnnouncement, ReminderPreference, Rsvp
from meetings.reminders import due_lead, send_due_reminders
from social.models import Notification, NotificationKind
from tests.factories import MeetingFactory
from tests.matrix import FORBIDDEN, LOGIN, OK, check_data, check_page, send_page

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def reminders_of(user):
    return list(
        Notification.objects.filter(kind=NotificationKind.MEETING_REMINDER, recipient=user).values_list(
            "dedupe_key", flat=True
        )
    )


@pytest.mark.parametrize(
    ("leads", "hours_before", "due"),
    [
        (["week", "day", "hour"], 160, "week"),
        (["week", "day", "hour"], 20, "day"),
        (["week", "day", "hour"], 0.5, "hour"),
        (["week", "hour"], 20, "week"),  # no day reminder chosen: the week's lasts until the hour's
        (["day"], 170, None),
        (["hour"], 5, None),
        ([], 0.5, None),
    ],
)
def test_the_reminder_due_now(leads, hours_before, due):
    now = timezone.now()
    assert due_lead(leads, starts_at=now + timedelta(hours=hours_before), now=now) == due


def test_each_member_gets_the_reminders_they_chose_once_each(cast):
    meeting = MeetingFactory(club=cast.club, starts_at=timezone.now() + timedelta(days=6, hours=12))
    services.reminder_preference_set(user=cast.member, club=cast.club, leads=["week", "hour"])
    services.reminder_preference_set(user=cast.moderator, club=cast.club, leads=[])
    now = timezone.now()
    send_due_reminders(now=now)
    send_due_reminders(now=now + HOUR)
    assert [key.endswith(":week") for key in reminders_of(cast.member)] == [True]
    assert reminders_of(cast.moderator) == [] and reminders_of(cast.owner) == []  # the club's default: a day
    send_due_reminders(now=meeting.starts_at - timedelta(hours=20))
    assert len(reminders_of(cast.owner)) == 1 and len(reminders_of(cast.member)) == 1
    send_due_reminders(now=meeting.starts_at - timedelta(minutes=30))
    send_due_reminders(now=meeting.starts_at - timedelta(minutes=20))
    assert sorted(key.rsplit(":", 1)[-1] for key in reminders_of(cast.member))[0] == "hour"
    assert len(reminders_of(cast.member)) == 2 and reminders_of(cast.moderator) == []


def test_the_clubs_defaults_apply_until_a_member_chooses(cast):
    club_services.club_reminders_set(actor=cast.owner, club=cast.club, leads=["hour"])
    meeting = MeetingFactory(club=cast.club, starts_at=timezone.now() + timedelta(minutes=40))
    assert send_due_reminders() == 3  # owner, moderator, member
    assert all(key.endswith(":hour") for key in reminders_of(cast.member))
    with pytest.raises(DomainError, match="Choose reminders"):
        club_services.club_reminders_set(actor=cast.owner, club=cast.club, leads=["fortnight"])
    with pytest.raises(NotAllowed):
        club_services.club_reminders_set(actor=cast.member, club=cast.club, leads=["week"])
    meeting.club.refresh_from_db()
    assert meeting.club.reminder_leads == ["hour"]


def test_the_settings_page_saves_a_clubs_reminders(client, cast):
    client.force_login(cast.member)
    page = client.get(reverse("social:reminders"))
    assert page.status_code == 200 and cast.club.name in page.text and "The club's defaults" in page.text
    prefix = f"club-{cast.club.pk}"
    response = client.post(
        reverse("social:reminders"), {"club": cast.club.pk, f"{prefix}-leads": ["week", "hour"]}
    )
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=cast.member).leads == ["week", "hour"]
    bad = client.post(reverse("social:reminders"), {"club": cast.club.pk, f"{prefix}-leads": ["yearly"]})
    assert bad.status_code == 422 and "Choose from" in bad.text
    client.force_login(cast.outsider)
    refused = client.post(reverse("social:reminders"), {"club": cast.club.pk, f"{prefix}-leads": ["day"]})
    assert refused.status_code == 422 and "clubs you belong to" in refused.text
    assert not ReminderPreference.objects.filter(user=cast.outsider).exists()


HOSTS = {"owner": OK, "moderator": OK, "member": FORBIDDEN, "outsider": FORBIDDEN, "anonymous": LOGIN}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("role", list(HOSTS))
def test_who_may_announce(client, cast, meeting, role, htmx):
    Attendance.objects.create(meeting=meeting, user=cast.member, rsvp=Rsvp.GOING)
    if role != "anonymous":
        client.force_login(cast.user_for(role))

    def snapshot():
        return MeetingAnnouncement.objects.count(), Notification.objects.filter(
            kind=NotificationKind.MEETING_ANNOUNCEMENT
        ).count()

    before = snapshot()
    url = reverse("meetings:announce", args=[meeting.pk])
    response = send_page(client, "post", url, {"message": "We meet upstairs."}, htmx=htmx, current_url=url)
    check_page(response, HOSTS[role], htmx=htmx)
    check_data(before, snapshot(), outcome=HOSTS[role], changes_data=True)


def test_an_announcement_reaches_everyone_going_and_three_a_day_at_most(client, cast, meeting):
    Attendance.objects.create(meeting=meeting, user=cast.member, rsvp=Rsvp.GOING)
    Attendance.objects.create(meeting=meeting, user=cast.moderator, rsvp=Rsvp.DECLINED)
    assert services.meeting_announce(actor=cast.owner, meeting=meeting, message="Bring snacks") == 1
    told = Notification.objects.get(kind=NotificationKind.MEETING_ANNOUNCEMENT)
    assert told.recipient == cast.member and "Bring snacks" in told.message
    services.meeting_announce(actor=cast.owner, meeting=meeting, message="Two")
    services.meeting_announce(actor=cast.owner, meeting=meeting, message="Three")
    client.force_login(cast.owner)
    url = reverse("meetings:announce", args=[meeting.pk])
    refused = client.post(url, {"message": "Four"})
    assert refused.status_code == 409 and "send the next one tomorrow" in refused.text
    empty = client.post(url, {"message": "   "})
    assert empty.status_code == 422 and "Write the announcement." in empty.text
    assert MeetingAnnouncement.objects.count() == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 302), ("moderator", 302), ("member", 403), ("outsider", 403), ("anonymous", 302)],
)
def test_who_sets_the_clubs_default_reminders(client, cast, role, status):
    if role != "anonymous":
        client.force_login(cast.user_for(role))
    response = client.post(reverse("clubs:reminders", args=[cast.club.slug]), {"leads": ["week"]})
    assert response.status_code == status
    cast.club.refresh_from_db()
    assert cast.club.reminder_leads == (["week"] if role in ("owner", "moderator") else ["day"])
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_send_each_chosen_reminder_exactly_once():
    from tests.bets.test_concurrency import run_at_once
    from tests.factories import ClubFactory, add_member

    club = ClubFactory()
    people = [club.memberships.get().user, *(add_member(club).user for _ in range(4))]
    for person in people[:2]:
        services.reminder_preference_set(user=person, club=club, leads=["week", "hour"])
    soon = MeetingFactory(club=club, starts_at=timezone.now() + timedelta(minutes=30))
    next_week = MeetingFactory(club=club, starts_at=timezone.now() + timedelta(days=6))
    results, refusals = run_at_once([send_due_reminders for _ in range(4)])
    assert refusals == []
    keys = list(
        Notification.objects.filter(kind=NotificationKind.MEETING_REMINDER).values_list(
            "dedupe_key", flat=True
        )
    )
    assert len(keys) == len(set(keys)) == sum(results)
    # The two with their own choice: the hour's for `soon`, the week's for `next_week`; the rest (a day by
    # default): only `soon`, inside its day.
    assert sum(f"reminder:{soon.pk}:" in key for key in keys) == len(people)
    assert sum(f"reminder:{next_week.pk}:" in key for key in keys) == 2
