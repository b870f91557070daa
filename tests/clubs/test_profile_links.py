"""Names on member lists, the race and the leaderboards link to the profiles the viewer may open, so a
member can befriend a club-mate from the club. A club's members see each other's names on its lists,
but a friends-only profile they are not friends with stays unlinked (it would be a 404)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bets.services import account_open
from clubs.models import JoinRequest
from meetings.models import Attendance, Rsvp
from social.models import ProfileVisibility
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


def _link(user) -> str:
    return f'<a href="/u/{user.username}/">{user.name}</a>'


@pytest.fixture
def club_with_people():
    """A club whose owner Olga is public, Fran is friends-only and Pia shows her profile to nobody."""
    olga = UserFactory(username="olga", display_name="Olga Owner")
    club = ClubFactory(owner=olga)
    fran = add_member(
        club,
        UserFactory(
            username="fran", display_name="Fran Friendsonly", profile_visibility=ProfileVisibility.FRIENDS
        ),
    ).user
    pia = add_member(
        club,
        UserFactory(username="pia", display_name="Pia Private", profile_visibility=ProfileVisibility.PRIVATE),
    ).user
    me = add_member(club, UserFactory(username="mia", display_name="Mia Member")).user
    return club, {"olga": olga, "fran": fran, "pia": pia, "me": me}


def test_members_page_links_the_profiles_a_member_may_open(client, club_with_people):
    club, people = club_with_people
    client.force_login(people["me"])
    html = client.get(f"/clubs/{club.slug}/members/").text
    assert _link(people["olga"]) in html
    # Club-mates see the names, but not friends-only or hidden profiles they may not open.
    assert "Fran Friendsonly" in html and _link(people["fran"]) not in html
    assert "Pia Private" in html and "/u/pia/" not in html


def test_a_friend_s_friends_only_profile_is_linked(client, club_with_people):
    club, people = club_with_people
    befriend(people["me"], people["fran"])
    client.force_login(people["me"])
    assert _link(people["fran"]) in client.get(f"/clubs/{club.slug}/members/").text


def test_visitors_see_links_to_public_profiles_only(client, club_with_people):
    club, people = club_with_people
    html = client.get(f"/clubs/{club.slug}/members/").text
    assert _link(people["olga"]) in html
    assert "@fran" in html and "/u/fran/" not in html and "Fran Friendsonly" not in html


def test_the_club_page_preview_links_names_too(client, club_with_people):
    club, people = club_with_people
    client.force_login(people["me"])
    html = client.get(club.get_absolute_url()).text
    members = html.split('id="members-heading"')[1].split("</aside>")[0]
    assert _link(people["olga"]) in members and "/u/fran/" not in members


def test_the_race_s_attendee_list_links_names(client, club_with_people):
    club, people = club_with_people
    meeting = MeetingFactory(club=club)
    for person in people.values():
        Attendance.objects.create(meeting=meeting, user=person, rsvp=Rsvp.GOING)
    client.force_login(people["me"])
    html = client.get(meeting.get_absolute_url()).text
    attendees = html.split('id="attendees"')[1].split("</section>")[0]
    assert _link(people["olga"]) in attendees
    assert "Fran Friendsonly" in attendees and "/u/fran/" not in attendees


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_linking_costs_no_query_per_member(client, club_with_people):
    club, people = club_with_people
    client.force_login(people["me"])
    url = f"/clubs/{club.slug}/members/"
    few = _count(client, url)
    for n in range(10):
        friend = add_member(club, UserFactory(profile_visibility=ProfileVisibility.FRIENDS)).user
        if n % 2:
            befriend(people["me"], friend)
    assert _count(client, url) == few


def test_leaderboards_link_names_the_viewer_may_open(client, club_with_people):
    club, people = club_with_people
    for person in people.values():
        account_open(user=person)
    client.force_login(people["me"])
    everyone = client.get("/leaderboards/").text
    assert _link(people["olga"]) in everyone
    assert "/u/fran/" not in everyone and "/u/pia/" not in everyone
    befriend(people["me"], people["fran"])
    friends_board = client.get("/leaderboards/friends/").text
    assert _link(people["fran"]) in friends_board


def test_the_requests_page_links_a_requester_the_moderators_may_see(client, club_with_people):
    club, people = club_with_people
    public = UserFactory(username="paul", display_name="Paul Public")
    hidden = UserFactory(
        username="hugo", display_name="Hugo Hidden", profile_visibility=ProfileVisibility.FRIENDS
    )
    JoinRequest.objects.create(club=club, user=public)
    JoinRequest.objects.create(club=club, user=hidden)
    client.force_login(people["olga"])
    html = client.get(f"/clubs/{club.slug}/requests/").text
    assert _link(public) in html
    assert "@hugo" in html and "/u/hugo/" not in html
