"""Every meeting action × every role × every door (HTML page, HTMX fragment, API) → what the user gets.

One table, so a rule that changes in one door but not the others fails here. A refusal must also
leave the data exactly as it was: each case compares a snapshot of meetings, attendances and
progress history before and after; an allowed write must change something.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from clubs.models import Club, Visibility
from meetings.models import Attendance, Meeting, ProgressEntry
from tests.conftest import ROLES
from tests.factories import BookFactory, MeetingFactory
from tests.matrix import FORBIDDEN, LOGIN, MISSING, OK, check_api, check_data, check_page, send_api, send_page

pytestmark = pytest.mark.django_db


class Scene:
    """The `cast` club with an upcoming meeting (RSVP and progress are open) and one that has started
    (complete and check-in are open), and a book to schedule a new meeting about."""

    def __init__(self, cast):
        self.cast = cast
        self.club = cast.club
        self.upcoming = MeetingFactory(club=cast.club, place="Library")
        self.started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=30))
        self.book = BookFactory(page_count=200)


def _local_start(days: int = 4) -> str:
    return (timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _edit_form(scene: Scene) -> dict:
    meeting = scene.upcoming
    return {
        "book": meeting.book_id,
        "title": "Renamed",
        "starts_at": timezone.localtime(meeting.starts_at, UTC).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": meeting.duration_minutes,
        "place": "The park",
        "online_link": "",
        "target_page": meeting.target_page,
        "description": "",
        "version": meeting.version,
    }


@dataclass(frozen=True)
class Action:
    html: Callable | None  # (scene) -> (method, url, data), or None where no page does it
    api: Callable | None  # (scene) -> (method, url, json), or None where the API has no such call
    changes_data: bool = True
    about_the_club: bool = True  # False: not about one club, so a private club changes nothing


ACTIONS = {
    "view meeting": Action(
        html=lambda s: ("get", f"/meetings/{s.upcoming.pk}/", None),
        api=lambda s: ("get", f"/api/v1/meetings/{s.upcoming.pk}/", None),
        changes_data=False,
    ),
    "download .ics": Action(
        html=lambda s: ("get", f"/meetings/{s.upcoming.pk}.ics", None),
        api=None,
        changes_data=False,
    ),
    "list club meetings": Action(
        html=None,
        api=lambda s: ("get", f"/api/v1/clubs/{s.club.slug}/meetings/", None),
        changes_data=False,
    ),
    "list attendees": Action(
        html=None,
        api=lambda s: ("get", f"/api/v1/meetings/{s.upcoming.pk}/attendees/", None),
        changes_data=False,
    ),
    "my meetings": Action(
        html=lambda s: ("get", "/meetings/mine/", None),
        api=lambda s: ("get", "/api/v1/me/meetings/", None),
        changes_data=False,
        about_the_club=False,
    ),
    "schedule": Action(
        html=lambda s: (
            "post",
            f"/clubs/{s.club.slug}/meetings/new/",
            {"book": s.book.pk, "starts_at": _local_start(), "duration_minutes": 90, "place": "Library"},
        ),
        api=lambda s: (
            "post",
            f"/api/v1/clubs/{s.club.slug}/meetings/",
            {
                "book": s.book.pk,
                "starts_at": (timezone.now() + timedelta(days=4)).isoformat(),
                "place": "Library",
            },
        ),
    ),
    "edit": Action(
        html=lambda s: ("post", f"/meetings/{s.upcoming.pk}/edit/", _edit_form(s)),
        api=lambda s: ("patch", f"/api/v1/meetings/{s.upcoming.pk}/", {"place": "The park", "version": 1}),
    ),
    "cancel": Action(
        html=lambda s: ("post", f"/meetings/{s.upcoming.pk}/cancel/", {"reason": "Snow"}),
        api=lambda s: ("delete", f"/api/v1/meetings/{s.upcoming.pk}/", {"reason": "Snow"}),
    ),
    "complete": Action(
        html=lambda s: ("post", f"/meetings/{s.started.pk}/complete/", {}),
        api=lambda s: ("post", f"/api/v1/meetings/{s.started.pk}/complete/", {}),
    ),
    "check in": Action(
        html=lambda s: ("post", f"/meetings/{s.started.pk}/check-in/", {"username": s.cast.member.username}),
        api=lambda s: (
            "post",
            f"/api/v1/meetings/{s.started.pk}/check-in/",
            {"usernames": [s.cast.member.username]},
        ),
    ),
    "rsvp": Action(
        html=lambda s: ("post", f"/meetings/{s.upcoming.pk}/rsvp/", {"rsvp": "maybe"}),
        api=lambda s: ("put", f"/api/v1/meetings/{s.upcoming.pk}/rsvp/", {"rsvp": "maybe"}),
    ),
    "record own progress": Action(
        html=lambda s: ("post", f"/meetings/{s.upcoming.pk}/progress/", {"current_page": 12}),
        api=lambda s: ("put", f"/api/v1/meetings/{s.upcoming.pk}/progress/", {"current_page": 12}),
    ),
}

HOSTS_ONLY = [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN]
MEMBERS_ONLY = [OK, OK, OK, FORBIDDEN, FORBIDDEN, LOGIN]
EVERYONE = [OK, OK, OK, OK, OK, OK]

# Expected outcome per role, in the order of ROLES: owner, moderator, member, requester, outsider, anonymous.
# The club is public; the requester has a pending request to join.
PUBLIC = {
    "view meeting": EVERYONE,
    "download .ics": EVERYONE,
    "list club meetings": EVERYONE,
    "list attendees": EVERYONE,
    "my meetings": [OK, OK, OK, OK, OK, LOGIN],
    "schedule": HOSTS_ONLY,
    "edit": HOSTS_ONLY,
    "cancel": HOSTS_ONLY,
    "complete": HOSTS_ONLY,
    "check in": HOSTS_ONLY,
    "rsvp": MEMBERS_ONLY,
    "record own progress": MEMBERS_ONLY,
}


def _private(outcomes: list[str], action_name: str) -> list[str]:
    """A private club's meetings do not exist for people outside it; anonymous visitors of anything
    that needs an account are still asked to log in first (that reveals nothing about the club)."""
    action = ACTIONS[action_name]
    if not action.about_the_club:
        return outcomes
    owner, moderator, member, _requester, _outsider, _anonymous = outcomes
    anonymous = MISSING if not action.changes_data and action_name != "my meetings" else LOGIN
    return [owner, moderator, member, MISSING, MISSING, anonymous]


PRIVATE = {action_name: _private(outcomes, action_name) for action_name, outcomes in PUBLIC.items()}


def snapshot():
    return (
        sorted(Meeting.objects.values_list("pk", "status", "place", "title", "cancel_reason", "version")),
        sorted(
            Attendance.objects.values_list(
                "meeting_id", "user_id", "rsvp", "current_page", "checked_in", "version"
            )
        ),
        ProgressEntry.objects.count(),
    )


CASES = [
    pytest.param(
        visibility,
        action_name,
        role,
        table[action_name][index],
        door,
        id=f"{visibility}-{action_name}-{role}-{door}",
    )
    for visibility, table in (("public", PUBLIC), ("private", PRIVATE))
    for action_name, action in ACTIONS.items()
    for index, role in enumerate(ROLES)
    for door in ("html", "htmx", "api")
    if (action.api if door == "api" else action.html) is not None
]


@pytest.mark.parametrize(("visibility", "action_name", "role", "outcome", "door"), CASES)
def test_permission_matrix(client, cast, visibility, action_name, role, outcome, door):
    if visibility == "private":
        Club.objects.filter(pk=cast.club.pk).update(visibility=Visibility.PRIVATE)
        cast.club.refresh_from_db()
    scene = Scene(cast)
    action = ACTIONS[action_name]
    actor = cast.user_for(role)
    before = snapshot()

    if door == "api":
        check_api(send_api(actor, *action.api(scene)), outcome)
    else:
        if actor:
            client.force_login(actor)
        method, url, data = action.html(scene)
        response = send_page(
            client, method, url, data, htmx=door == "htmx", current_url=f"/meetings/{scene.upcoming.pk}/"
        )
        check_page(response, outcome, htmx=door == "htmx")

    check_data(before, snapshot(), outcome=outcome, changes_data=action.changes_data)
