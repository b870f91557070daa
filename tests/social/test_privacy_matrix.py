"""Every route that shows a person keeps the promise of their profile setting.

One member, "target", carries a marker display name and appears everywhere a person can: in a club
(its page, members, leaderboard), in two meetings' race, attendees and bets (one open, one closed),
on the global and friends boards, with a join request to another club (and its notification), as the
sender of a friend request, as a friend and as the inviter to a club. For each profile visibility and
each viewer, every route must show the marker where the viewer may see the person and never where not.

Who may see whom is social.permissions: the owner always; public profiles everyone; friends-only
profiles friends; on a club's own lists (members, race, attendees, bets, its board) its members see
each other whatever the setting. A join request is not such a list (the requester is not a member).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bets.services import account_open, bet_place
from clubs.invitations import invitation_send
from clubs.models import JoinPolicy, Role
from clubs.services import club_join
from meetings import services as meeting_services
from meetings.models import Rsvp
from social.friends import block_create, friend_request_send
from social.models import ProfileVisibility, User
from social.permissions import can_view_profile, profile_visible_q
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db

MARKER = "MARKERQX"
VISIBILITIES = [ProfileVisibility.PUBLIC, ProfileVisibility.FRIENDS, ProfileVisibility.PRIVATE]
VIEWERS = ["stranger", "anonymous", "club-mate", "friend", "self"]


@dataclass
class World:
    target: object
    viewers: dict
    open_meeting: object
    closed_meeting: object


def build_world(visibility) -> World:
    """The target and one viewer of each kind; all but anonymous and the target moderate "askers"."""
    host = UserFactory(username="host", display_name="Hana Host")
    readers = ClubFactory(slug="readers", owner=host)
    askers = ClubFactory(slug="askers", join_policy=JoinPolicy.APPROVAL)
    target = UserFactory(username="target", display_name=f"Zelda {MARKER}", profile_visibility=visibility)
    add_member(readers, target)
    viewers = {
        "anonymous": None,
        "self": target,
        "stranger": UserFactory(username="stranger"),
        "club-mate": UserFactory(username="mate"),
        "friend": UserFactory(username="pal"),
    }
    add_member(readers, viewers["club-mate"])
    befriend(viewers["friend"], target)
    for kind in ("stranger", "club-mate", "friend"):
        add_member(askers, viewers[kind], role=Role.MODERATOR)
    for user in (host, target, *(viewers[kind] for kind in ("stranger", "club-mate", "friend"))):
        account_open(user=user)

    meetings = []
    for days in (5, 6):
        meeting = MeetingFactory(club=readers, starts_at=timezone.now() + timezone.timedelta(days=days))
        for runner in (host, target):
            meeting_services.attendance_rsvp(user=runner, meeting=meeting, rsvp=Rsvp.GOING)
            meeting_services.attendance_progress(user=runner, meeting=meeting, current_page=20)
        bet_place(bettor=host, meeting=meeting, horse=target, amount=5)
        bet_place(bettor=target, meeting=meeting, horse=host, amount=5)
        meetings.append(meeting)
    open_meeting, closed_meeting = meetings
    closed_meeting.starts_at = timezone.now() - timezone.timedelta(minutes=5)
    closed_meeting.save(update_fields=["starts_at"])

    club_join(user=target, club=askers)  # a join request, and its notification to the moderators
    friend_request_send(sender=target, to_user=viewers["stranger"])
    invitation_send(inviter=target, club=readers, invitee=viewers["friend"])
    return World(target, viewers, open_meeting, closed_meeting)


# Which rule a route follows: "club" (a club's own list), "profile" (the profile rule alone),
# "staff" (the profile rule, for the moderators of "askers"), "friends" (a list of the viewer's
# friends: only a friend finds the target there), "people" (the friends page: friends, and the
# stranger the target asked to be friends with), "usernames" (names people by username only).
ROUTES = [
    ("club page", "html", "/clubs/readers/", "club"),
    ("members page", "html", "/clubs/readers/members/", "club"),
    ("open meeting page", "html", "/meetings/{open}/", "club"),
    ("open meeting race fragment", "htmx", "/meetings/{open}/", "club"),
    ("closed meeting page", "html", "/meetings/{closed}/", "club"),
    ("open bets fragment", "htmx", "/meetings/{open}/bets/", "club"),
    ("closed bets fragment", "htmx", "/meetings/{closed}/bets/", "club"),
    ("club leaderboard", "html", "/leaderboards/club-readers/", "club"),
    ("global leaderboard", "html", "/leaderboards/global/", "profile"),
    ("profile page", "html", "/u/target/", "profile"),
    ("friends leaderboard", "html", "/leaderboards/friends/", "friends"),
    ("home activity feed", "html", "/", "friends"),
    ("club invitations page", "html", "/clubs/invitations/", "friends"),
    ("friends page", "html", "/friends/", "people"),
    ("join requests page", "html", "/clubs/askers/requests/", "staff"),
    ("notifications page", "html", "/notifications/", "staff"),
    ("members API", "api", "/api/v1/clubs/readers/members/", "club"),
    ("member API", "api", "/api/v1/clubs/readers/members/target/", "club"),
    ("open attendees API", "api", "/api/v1/meetings/{open}/attendees/", "club"),
    ("closed attendees API", "api", "/api/v1/meetings/{closed}/attendees/", "club"),
    ("open bets API", "api", "/api/v1/meetings/{open}/bets/", "club"),
    ("closed bets API", "api", "/api/v1/meetings/{closed}/bets/", "club"),
    ("club leaderboard API", "api", "/api/v1/leaderboards/club-readers/", "club"),
    ("global leaderboard API", "api", "/api/v1/leaderboards/global/", "profile"),
    ("profile API", "api", "/api/v1/users/target/", "profile"),
    ("friends leaderboard API", "api", "/api/v1/leaderboards/friends/", "friends"),
    ("friends API", "api", "/api/v1/friends/", "friends"),
    ("friend requests API", "api", "/api/v1/friend-requests/", "usernames"),
    ("join requests API", "api", "/api/v1/clubs/askers/join-requests/", "staff"),
    ("notifications API", "api", "/api/v1/notifications/", "staff"),
]


def may_see(rule: str, visibility: str, viewer: str) -> bool | None:
    """True: the marker must show; False: it must not; None: the route shows nothing to check
    (the viewer cannot open it, or it lists others than the viewer)."""
    public, friends_only = visibility == ProfileVisibility.PUBLIC, visibility == ProfileVisibility.FRIENDS
    befriended = viewer == "friend" and (public or friends_only)
    if rule == "usernames":
        return False
    if viewer == "self":
        # Every page names the viewer in its menu: only routes that list the target can be checked.
        return True if rule in ("club", "profile") else None
    if rule == "club":
        return public or befriended or viewer == "club-mate"
    if rule == "profile":
        return public or befriended
    if rule == "staff":
        return None if viewer == "anonymous" else public or befriended
    if rule == "friends":
        return befriended
    if rule == "people":
        return befriended or (viewer == "stranger" and public)
    raise ValueError(rule)


def fetch(kind: str, path: str, user, client) -> tuple[int, str]:
    if kind == "api":
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        response = api.get(path)
    else:
        headers = {"HX-Request": "true"} if kind == "htmx" else {}
        response = client.get(path, headers=headers)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_every_route_that_shows_a_person_keeps_their_profile_setting(client, visibility, viewer):
    world = build_world(visibility)
    user = world.viewers[viewer]
    if user is not None:
        client.force_login(user)
    ids = {"open": world.open_meeting.pk, "closed": world.closed_meeting.pk}

    problems = []
    for name, kind, path, rule in ROUTES:
        expected = may_see(rule, visibility, viewer)
        status, body = fetch(kind, path.format(**ids), user, client)
        if status >= 500:
            problems.append(f"{name}: {status}")
        elif expected is True and (status != 200 or MARKER not in body):
            problems.append(f"{name}: marker missing (status {status})")
        elif expected is False and MARKER in body:
            problems.append(f"{name}: hidden name shown")
    assert not problems, f"{visibility} profile seen by {viewer}: " + "; ".join(problems)


def test_the_matrix_really_plants_the_marker_everywhere(client):
    """A public target must show on every route to a viewer who can open it: no route is vacuous."""
    world = build_world(ProfileVisibility.PUBLIC)
    ids = {"open": world.open_meeting.pk, "closed": world.closed_meeting.pk}
    seen_by = {name: set() for name, _kind, _path, rule in ROUTES if rule != "usernames"}
    for viewer in VIEWERS:
        user = world.viewers[viewer]
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, kind, path, _rule in ROUTES:
            if name not in seen_by:
                continue
            status, body = fetch(kind, path.format(**ids), user, client)
            if status == 200 and MARKER in body:
                seen_by[name].add(viewer)
    assert [name for name, viewers in seen_by.items() if not viewers] == []


@pytest.mark.parametrize(
    "path", ["/clubs/askers/requests/", "/api/v1/clubs/askers/join-requests/", "/clubs/invitations/"]
)
def test_naming_requesters_and_inviters_costs_the_same_queries_for_few_or_many(client, path):
    moderator = UserFactory()
    askers = ClubFactory(slug="askers", join_policy=JoinPolicy.APPROVAL)
    add_member(askers, moderator, role=Role.MODERATOR)
    client.force_login(moderator)

    def add_people(count):
        for index in range(count):
            visibility = VISIBILITIES[index % 3]
            person = UserFactory(profile_visibility=visibility)
            club_join(user=person, club=askers)
            befriend(person, moderator)
            club = ClubFactory()
            add_member(club, person)
            invitation_send(inviter=person, club=club, invitee=moderator)

    def queries() -> int:
        api = APIClient()
        api.force_authenticate(moderator)
        with CaptureQueriesContext(connection) as captured:
            response = (api if "/api/" in path else client).get(path)
            assert response.status_code == 200
        return len(captured)

    add_people(3)
    few = queries()
    add_people(9)
    assert queries() == few


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_the_rule_for_one_person_and_the_rule_for_lists_agree(visibility):
    """can_view_profile (messages, profile pages) and profile_visible_q (every list) are one rule."""
    target = UserFactory(profile_visibility=visibility)
    friend, stranger, blocker_friend = UserFactory(), UserFactory(), UserFactory()
    befriend(friend, target)
    befriend(blocker_friend, target)
    block_create(blocker=target, blocked=blocker_friend)
    gone = UserFactory(profile_visibility=visibility, is_active=False)
    befriend(friend, gone)

    for person in (target, gone):
        for viewer in (None, AnonymousUser(), target, friend, stranger, blocker_friend):
            listed = User.objects.filter(profile_visible_q(viewer), pk=person.pk).exists()
            assert can_view_profile(viewer, person) is listed, (visibility, viewer, person)
