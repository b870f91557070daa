"""A request to join can carry a short note for the moderators (the club's description may ask a
question): the form, the API, the requests page and the admin."""

import pytest

from clubs.models import JoinPolicy, JoinRequest, Membership
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
NOTE = "I loved Dune & want to talk <about> it."


@pytest.fixture
def club():
    return ClubFactory(
        name="Dune Readers",
        join_policy=JoinPolicy.APPROVAL,
        description="Which book made you a reader? Tell us when you ask to join.",
    )


@pytest.fixture
def asker(client):
    user = UserFactory(username="asker", display_name="Ana Asker")
    client.force_login(user)
    return user


def test_the_request_form_offers_an_optional_note(client, club, asker):
    html = client.get(club.get_absolute_url()).text
    box = html.split('id="membership"')[1].split("</article>")[0]
    assert '<label for="join-message">A note for the moderators' in box
    assert '<textarea id="join-message" name="message" rows="3" maxlength="500"' in box
    assert "If the club's description asks you something, answer it here." in box


def test_a_request_keeps_its_note_and_the_moderators_read_it(client, club, asker):
    response = client.post(f"/clubs/{club.slug}/join/", {"message": f"  {NOTE}  "}, headers=HX)

    assert response.status_code == 200 and "Request sent." in response.text
    assert JoinRequest.objects.get(club=club, user=asker).message == NOTE
    owner = club.memberships.get().user
    client.force_login(owner)
    requests_page = client.get(f"/clubs/{club.slug}/requests/").text
    assert "<blockquote>I loved Dune &amp; want to talk &lt;about&gt; it.</blockquote>" in requests_page


def test_a_request_without_a_note_is_fine(client, club, asker):
    client.post(f"/clubs/{club.slug}/join/")
    assert JoinRequest.objects.get(club=club, user=asker).message == ""


def test_a_note_too_long_is_refused_and_kept_in_the_box(client, club, asker):
    long_note = "x" * 501
    response = client.post(f"/clubs/{club.slug}/join/", {"message": long_note}, headers=HX)

    assert response.status_code == 422
    assert "Keep your note to 500 characters (it has 501)." in response.text
    assert long_note in response.text and 'aria-invalid="true"' in response.text
    assert not JoinRequest.objects.exists()


def test_a_note_too_long_without_javascript_says_why_on_the_club_page(client, club, asker):
    response = client.post(f"/clubs/{club.slug}/join/", {"message": "x" * 501}, follow=True)
    assert "Keep your note to 500 characters (it has 501)." in response.text
    assert not JoinRequest.objects.exists()


def test_an_open_club_lets_me_in_and_keeps_no_note(client, asker):
    open_club = ClubFactory(join_policy=JoinPolicy.OPEN)
    client.post(f"/clubs/{open_club.slug}/join/", {"message": "hello"})
    assert Membership.objects.filter(club=open_club, user=asker).exists()
    assert not JoinRequest.objects.exists()


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_takes_a_note_and_shows_it_to_the_moderators(api_client, club):
    asker = UserFactory()
    api_client.force_authenticate(asker)
    response = api_client.post(f"/api/v1/clubs/{club.slug}/join/", {"message": NOTE}, format="json")

    assert response.status_code == 202
    assert response.json()["join_request"]["message"] == NOTE
    moderator = add_member(club, role="moderator").user
    api_client.force_authenticate(moderator)
    listed = api_client.get(f"/api/v1/clubs/{club.slug}/join-requests/").json()["results"]
    assert [row["message"] for row in listed] == [NOTE]


def test_the_api_refuses_a_note_too_long_with_a_clear_400(api_client, club):
    api_client.force_authenticate(UserFactory())
    response = api_client.post(f"/api/v1/clubs/{club.slug}/join/", {"message": "x" * 501}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "message: Keep your note to the moderators to 500 characters."
    assert "message" in body["errors"]
    assert not JoinRequest.objects.exists()


def test_the_schema_documents_the_note(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    note = schema["components"]["schemas"]["JoinInputRequest"]["properties"]["message"]
    assert note["type"] == "string" and note["maxLength"] == 500
    assert "message" in schema["components"]["schemas"]["JoinRequest"]["properties"]


# --- the admin -----------------------------------------------------------------------------------------


def test_the_admin_lists_the_note(client, club):
    JoinRequest.objects.create(club=club, user=UserFactory(), message=NOTE)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    changelist = client.get("/admin/clubs/joinrequest/")
    assert changelist.status_code == 200
    assert "Note to the moderators" in changelist.text
    assert "I loved Dune &amp; want to talk &lt;about&gt; it." in changelist.text
    assert client.get("/admin/clubs/joinrequest/", {"q": "loved Dune"}).text.count("I loved Dune") == 1
