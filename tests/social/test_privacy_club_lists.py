"""A club's lists (members, the meeting's race and attendees, its bets) name a member whose profile the
viewer may not see by "@username" only, unless the viewer belongs to the club: fellow members see each
other as usual. Reading progress stays (it is the club's public race), labelled with the username."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bets.services import account_open, bet_place
from meetings import services
from meetings.models import Rsvp
from social.models import ProfileVisibility
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db
VIEWERS = ["anonymous", "outsider", "member"]


@pytest.fixture
def club(db):
    club = ClubFactory(slug="readers")
    for username, visibility in [("grace", ProfileVisibility.PRIVATE), ("frida", ProfileVisibility.FRIENDS)]:
        user = UserFactory(
            username=username, display_name=f"{username.title()} SECRETNAME", profile_visibility=visibility
        )
        add_member(club, user)
    add_member(club, UserFactory(username="pablo", display_name="Pablo Public"))
    return club


@pytest.fixture
def meeting(club):
    meeting = MeetingFactory(club=club, starts_at=timezone.now() + timezone.timedelta(days=3))
    for member in club.memberships.select_related("user"):
        if member.user.username in ("grace", "frida", "pablo"):
            services.attendance_rsvp(user=member.user, meeting=meeting, rsvp=Rsvp.GOING)
            services.attendance_progress(user=member.user, meeting=meeting, current_page=30)
    return meeting


def viewer_for(kind: str, club):
    if kind == "anonymous":
        return None
    user = UserFactory(username=f"the-{kind}", display_name=f"The {kind}")
    if kind == "member":
        add_member(club, user)
    return user


def get_page(client, user, path, **kwargs) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(path, **kwargs)
    assert response.status_code == 200
    return response.content.decode()


def get_api(user, path) -> dict:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def assert_hidden(text: str, kind: str):
    if kind == "member":
        assert "Grace SECRETNAME" in text and "Frida SECRETNAME" in text
    else:
        assert "SECRETNAME" not in text
        assert "@grace" in text and "@frida" in text
    assert "Pablo Public" in text


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_members_page_and_the_club_page(client, club, kind):
    user = viewer_for(kind, club)
    assert_hidden(get_page(client, user, "/clubs/readers/members/"), kind)
    assert_hidden(get_page(client, user, "/clubs/readers/"), kind)


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_members_api(club, kind):
    rows = {
        row["username"]: row
        for row in get_api(viewer_for(kind, club), "/api/v1/clubs/readers/members/")["results"]
    }

    if kind == "member":
        assert rows["grace"]["display_name"] == "Grace SECRETNAME" and "hidden" not in rows["grace"]
    else:
        assert rows["grace"]["display_name"] is None and rows["grace"]["hidden"] is True
        assert rows["frida"]["display_name"] is None
    assert rows["pablo"]["display_name"] == "Pablo Public"


def test_an_outsider_cannot_find_a_hidden_member_by_display_name_in_the_members_api(club):
    outsider = viewer_for("outsider", club)
    found = get_api(outsider, "/api/v1/clubs/readers/members/?search=SECRETNAME")["results"]
    assert found == []
    fellow = viewer_for("member", club)
    found = get_api(fellow, "/api/v1/clubs/readers/members/?search=SECRETNAME")["results"]
    assert {row["username"] for row in found} == {"grace", "frida"}


def test_a_friend_outside_the_club_sees_a_friends_only_members_name(club):
    outsider = viewer_for("outsider", club)
    befriend(outsider, club.memberships.get(user__username="frida").user)

    rows = {row["username"]: row for row in get_api(outsider, "/api/v1/clubs/readers/members/")["results"]}

    assert rows["frida"]["display_name"] == "Frida SECRETNAME"
    assert rows["grace"]["display_name"] is None


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_meeting_race_keeps_progress_but_labels_hidden_readers_by_username(client, meeting, kind):
    user = viewer_for(kind, meeting.club)
    html = get_page(client, user, f"/meetings/{meeting.pk}/")

    assert_hidden(html, kind)
    assert 'data-runner="grace"' in html and "p. 30" in html
    if kind != "member":
        assert "@grace · p. 30" in html


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_race_fragment_hides_names_from_outsiders(client, meeting, kind):
    user = viewer_for(kind, meeting.club)
    if user is not None:
        client.force_login(user)

    html = client.get(f"/meetings/{meeting.pk}/", headers={"HX-Request": "true"}).content.decode()

    assert "<html" not in html
    assert_hidden(html, kind)


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_attendees_api(meeting, kind):
    rows = {
        row["username"]: row
        for row in get_api(viewer_for(kind, meeting.club), f"/api/v1/meetings/{meeting.pk}/attendees/")[
            "results"
        ]
    }

    assert rows["grace"]["current_page"] == 30
    if kind == "member":
        assert rows["grace"]["display_name"] == "Grace SECRETNAME"
    else:
        assert rows["grace"]["display_name"] is None and rows["grace"]["hidden"] is True


@pytest.fixture
def bets(meeting):
    by_name = {m.user.username: m.user for m in meeting.club.memberships.select_related("user")}
    for name in ("grace", "frida", "pablo"):
        account_open(user=by_name[name])
    bet_place(bettor=by_name["pablo"], meeting=meeting, horse=by_name["grace"], amount=5)
    bet_place(bettor=by_name["grace"], meeting=meeting, horse=by_name["frida"], amount=5)
    return meeting


def close(meeting):
    meeting.starts_at = timezone.now() - timezone.timedelta(minutes=1)
    meeting.save(update_fields=["starts_at"])


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("kind", VIEWERS)
def test_the_meeting_bets_section_and_api(client, bets, kind, closed):
    if closed:
        close(bets)
    user = viewer_for(kind, bets.club)

    section = get_page(client, user, f"/meetings/{bets.pk}/bets/", headers={"HX-Request": "true"})
    body = get_api(user, f"/api/v1/meetings/{bets.pk}/bets/")

    assert section.lstrip().startswith('<section id="bets"')
    horses = {row["horse"]["username"]: row["horse"] for row in body["horses"]}
    if kind == "member":
        assert "Grace SECRETNAME" in section
        assert horses["grace"] == {"username": "grace", "display_name": "Grace SECRETNAME"}
    else:
        assert "SECRETNAME" not in section and "SECRETNAME" not in str(body)
        assert horses["grace"] == {"username": "grace", "display_name": None, "hidden": True}
        assert "@grace" in section
    if closed:
        bettors = {bet["bettor"]["username"]: bet["bettor"] for bet in body["bets"]}
        assert bettors["grace"]["display_name"] == ("Grace SECRETNAME" if kind == "member" else None)


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", ["anonymous", "outsider"])
@pytest.mark.parametrize(
    "path", ["/clubs/readers/members/", "/api/v1/clubs/readers/members/", "MEETING", "ATTENDEES"]
)
def test_hiding_names_costs_the_same_queries_for_3_or_30_hidden_members(client, meeting, kind, path):
    club = meeting.club
    user = viewer_for(kind, club)
    if user is not None:
        client.force_login(user)
    path = {
        "MEETING": f"/meetings/{meeting.pk}/",
        "ATTENDEES": f"/api/v1/meetings/{meeting.pk}/attendees/",
    }.get(path, path)

    def add_hidden(count):
        for index in range(count):
            visibility = ProfileVisibility.FRIENDS if index % 2 else ProfileVisibility.PRIVATE
            hidden = add_member(club, UserFactory(profile_visibility=visibility)).user
            services.attendance_rsvp(user=hidden, meeting=meeting, rsvp=Rsvp.GOING)
            if user is not None and index % 2:
                befriend(user, hidden)

    few = _queries(client, path)
    add_hidden(27)
    assert _queries(client, path) == few
