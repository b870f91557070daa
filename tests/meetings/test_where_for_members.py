"""Where a public club meets (the place and the online link) is for its members. Everyone else sees
"Members see where we meet" on the meeting page and the club page, gets `null` for both fields in the
API, and an .ics download without them."""

import pytest
from icalendar import Calendar
from rest_framework.test import APIClient

from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

PLACE = "Rua Secreta 7, third floor"
LINK = "https://call.example.com/secret-room"
HIDDEN = "Members see where we meet"
VIEWERS = ["anonymous", "outsider", "member", "host"]


@pytest.fixture
def meeting():
    club = ClubFactory(slug="readers")
    return MeetingFactory(club=club, place=PLACE, online_link=LINK)


def viewer(kind: str, meeting):
    if kind == "anonymous":
        return None
    if kind == "host":
        return meeting.club.memberships.get().user
    user = UserFactory()
    if kind == "member":
        add_member(meeting.club, user)
    return user


def sees_where(kind: str) -> bool:
    return kind in ("member", "host")


def html(client, user, path) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("kind", VIEWERS)
@pytest.mark.parametrize("page", ["meeting", "club"])
def test_the_pages_show_where_only_to_members(client, meeting, kind, page):
    path = f"/meetings/{meeting.pk}/" if page == "meeting" else "/clubs/readers/"

    text = html(client, viewer(kind, meeting), path)

    if sees_where(kind):
        assert PLACE in text and HIDDEN not in text
        if page == "meeting":
            assert LINK in text
    else:
        assert PLACE not in text and LINK not in text and "secret-room" not in text
        assert HIDDEN in text


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_api_gives_place_and_link_only_to_members(meeting, kind):
    client = api(viewer(kind, meeting))

    one = client.get(f"/api/v1/meetings/{meeting.pk}/").json()
    listed = client.get("/api/v1/clubs/readers/meetings/").json()["results"]

    assert [row["id"] for row in listed] == [meeting.pk]
    for body in (one, listed[0]):
        if sees_where(kind):
            assert (body["place"], body["online_link"]) == (PLACE, LINK)
        else:
            assert body["place"] is None and body["online_link"] is None
            assert "secret-room" not in str(body) and "Secreta" not in str(body)


def test_my_meetings_in_the_api_carry_place_and_link(meeting):
    member = viewer("member", meeting)
    rows = api(member).get("/api/v1/me/meetings/").json()["results"]
    assert (rows[0]["place"], rows[0]["online_link"]) == (PLACE, LINK)


def test_the_schema_says_place_and_link_may_be_null(client):
    schema = client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["Meeting"]["properties"]
    assert fields["place"]["nullable"] is True and fields["online_link"]["nullable"] is True


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_ics_download_has_place_and_link_only_for_members(client, meeting, kind):
    user = viewer(kind, meeting)
    if user is not None:
        client.force_login(user)

    response = client.get(f"/meetings/{meeting.pk}.ics")

    assert response.status_code == 200
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    body = response.content.decode()
    if sees_where(kind):
        assert str(event["location"]) == PLACE and LINK in str(event["description"])
    else:
        assert "location" not in event
        assert "Secreta" not in body and "secret-room" not in body
        assert HIDDEN in str(event["description"])
