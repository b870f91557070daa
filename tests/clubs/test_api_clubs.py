"""The clubs API: listing, reading, creating, editing and deleting clubs."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubs.models import Club, JoinPolicy, Membership, Role, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

CLUBS = "/api/v1/clubs/"


def detail_url(club: Club) -> str:
    return f"{CLUBS}{club.slug}/"


def slugs(response) -> list[str]:
    return [club["slug"] for club in response.json()["results"]]


# Listing -------------------------------------------------------------------------------------------


def test_list_shows_public_clubs_by_name_with_member_count(api_client):
    zebra = ClubFactory(name="Zebra Readers")
    add_member(zebra)
    add_member(zebra)
    alpha = ClubFactory(name="Alpha Readers")

    response = api_client.get(CLUBS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(club["slug"], club["member_count"]) for club in body["results"]] == [
        (alpha.slug, 1),
        (zebra.slug, 3),
    ]
    first = body["results"][0]
    assert first == {
        "slug": alpha.slug,
        "name": "Alpha Readers",
        "description": alpha.description,
        "city": "Lisbon",
        "country": "Portugal",
        "visibility": "public",
        "join_policy": "open",
        "member_count": 1,
        "created_at": first["created_at"],
        "my_role": None,
    }
    assert "invite_code" not in first


def test_private_clubs_are_listed_only_for_their_members(api_client):
    public = ClubFactory(name="Open Book")
    secret = ClubFactory(name="Secret Shelf", visibility=Visibility.PRIVATE)
    member = add_member(secret).user

    assert slugs(api_client.get(CLUBS)) == [public.slug]
    api_client.force_authenticate(UserFactory())
    assert slugs(api_client.get(CLUBS)) == [public.slug]
    api_client.force_authenticate(member)
    assert slugs(api_client.get(CLUBS)) == [public.slug, secret.slug]


def test_list_shows_the_viewers_own_role_in_each_club(api_client):
    reader = UserFactory()
    owned = ClubFactory(name="A owned", owner=reader)
    moderated = ClubFactory(name="B moderated")
    add_member(moderated, reader, role=Role.MODERATOR)
    joined = ClubFactory(name="C joined")
    add_member(joined, reader)
    ClubFactory(name="D stranger")

    api_client.force_authenticate(reader)
    results = api_client.get(CLUBS).json()["results"]

    assert [club["my_role"] for club in results] == ["owner", "moderator", "member", None]
    assert owned.slug == results[0]["slug"]


def test_anonymous_visitors_have_no_role_anywhere(api_client):
    ClubFactory()
    ClubFactory()
    assert [club["my_role"] for club in api_client.get(CLUBS).json()["results"]] == [None, None]


def test_search_matches_name_or_city_case_insensitively(api_client):
    porto = ClubFactory(name="Harbour Readers", city="Porto")
    night = ClubFactory(name="Porto Night Owls", city="Braga")
    ClubFactory(name="Lisbon Lit", city="Lisbon")

    assert slugs(api_client.get(CLUBS, {"search": "PORTO"})) == [porto.slug, night.slug]
    assert slugs(api_client.get(CLUBS, {"search": "night"})) == [night.slug]
    assert slugs(api_client.get(CLUBS, {"search": "nothing like it"})) == []
    assert api_client.get(CLUBS, {"search": "  "}).json()["count"] == 3


def test_search_does_not_reveal_private_clubs(api_client):
    ClubFactory(name="Hidden Porto", visibility=Visibility.PRIVATE)
    assert api_client.get(CLUBS, {"search": "porto"}).json()["count"] == 0


def test_list_is_paginated(api_client):
    for number in range(25):
        ClubFactory(name=f"Club {number:02}")

    first = api_client.get(CLUBS).json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"].endswith("/api/v1/clubs/?page=2")

    second = api_client.get(CLUBS, {"page": 2}).json()
    assert [club["name"] for club in second["results"]] == [f"Club {number}" for number in range(20, 25)]
    assert second["next"] is None

    small = api_client.get(CLUBS, {"page_size": 5, "page": 3}).json()
    assert [club["name"] for club in small["results"]] == [f"Club {number:02}" for number in range(10, 15)]


def test_a_page_past_the_end_is_a_json_404(api_client):
    ClubFactory()
    response = api_client.get(CLUBS, {"page": 9})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def _list_queries(api_client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [True, False], ids=["member", "anonymous"])
def test_listing_clubs_costs_the_same_queries_for_3_or_30_clubs(
    api_client, django_assert_num_queries, signed_in
):
    reader = UserFactory()
    if signed_in:
        api_client.force_authenticate(reader)
    for _ in range(3):
        add_member(ClubFactory(), reader)

    with django_assert_num_queries(2):  # the count and the page
        assert len(api_client.get(CLUBS).json()["results"]) == 3
    for _ in range(27):
        add_member(ClubFactory(visibility=Visibility.PRIVATE), reader)
    if not signed_in:
        for _ in range(27):
            ClubFactory()
    with django_assert_num_queries(2):
        assert len(api_client.get(CLUBS, {"page_size": 30}).json()["results"]) == 30


# Reading one club ----------------------------------------------------------------------------------


def test_detail_shows_the_club_and_my_role(api_client, cast):
    api_client.force_authenticate(cast.member)
    response = api_client.get(detail_url(cast.club))
    assert response.status_code == 200
    body = response.json()
    assert (body["slug"], body["name"], body["member_count"], body["my_role"]) == (
        cast.club.slug,
        cast.club.name,
        3,
        "member",
    )


@pytest.mark.parametrize(
    ("role", "sees_invite"),
    [
        ("owner", True),
        ("moderator", True),
        ("member", False),
        ("requester", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_only_owner_and_moderators_see_the_invite_code(api_client, cast, role, sees_invite):
    viewer = cast.user_for(role)
    if viewer:
        api_client.force_authenticate(viewer)

    response = api_client.get(detail_url(cast.club))

    body = response.json()
    if sees_invite:
        assert body["invite_code"] == cast.club.invite_code
        assert body["invite_url"] == f"http://testserver/clubs/join/{cast.club.invite_code}/"
    else:
        assert body["invite_code"] is None
        assert body["invite_url"] is None
        assert cast.club.invite_code not in response.text


def test_the_invite_code_never_appears_in_the_list(api_client, cast):
    api_client.force_authenticate(cast.owner)
    response = api_client.get(CLUBS)
    assert response.json()["results"][0]["my_role"] == "owner"
    assert cast.club.invite_code not in response.text


def test_a_private_club_is_not_found_for_outsiders(api_client):
    secret = ClubFactory(visibility=Visibility.PRIVATE)
    response = api_client.get(detail_url(secret))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    api_client.force_authenticate(UserFactory())
    assert api_client.get(detail_url(secret)).status_code == 404


def test_an_unknown_club_is_a_json_404(api_client, db):
    response = api_client.get(f"{CLUBS}no-such-club/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Creating ------------------------------------------------------------------------------------------


def test_creating_a_club_makes_me_its_owner(api_client, user):
    api_client.force_authenticate(user)

    response = api_client.post(
        CLUBS,
        {
            "name": "  The Night Readers ",
            "description": "Crime, mostly.",
            "city": "Porto",
            "country": "Portugal",
            "visibility": "private",
            "join_policy": "invite",
        },
        format="json",
    )

    assert response.status_code == 201
    club = Club.objects.get()
    assert (club.name, club.slug, club.city, club.visibility, club.join_policy) == (
        "The Night Readers",
        "the-night-readers",
        "Porto",
        Visibility.PRIVATE,
        JoinPolicy.INVITE,
    )
    assert list(club.memberships.values_list("user", "role")) == [(user.pk, Role.OWNER)]
    body = response.json()
    assert body["slug"] == "the-night-readers"
    assert body["my_role"] == "owner"
    assert body["member_count"] == 1
    assert body["invite_code"] == club.invite_code


def test_a_new_club_defaults_to_public_and_open(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(CLUBS, {"name": "Plain"}, format="json")
    assert response.status_code == 201
    assert (response.json()["visibility"], response.json()["join_policy"]) == ("public", "open")


def test_creating_works_with_a_form_encoded_body(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(
        CLUBS,
        urlencode({"name": "Form Club", "city": "Faro"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201
    assert Club.objects.get().city == "Faro"


# Editing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "moderator"])
def test_owner_and_moderators_edit_the_club_but_not_its_slug(api_client, cast, role):
    api_client.force_authenticate(cast.user_for(role))
    old_slug = cast.club.slug

    response = api_client.patch(
        detail_url(cast.club),
        {"name": "Renamed", "join_policy": "approval", "slug": "hijacked", "city": ""},
        format="json",
    )

    assert response.status_code == 200
    cast.club.refresh_from_db()
    assert (cast.club.name, cast.club.slug, cast.club.join_policy, cast.club.city) == (
        "Renamed",
        old_slug,
        JoinPolicy.APPROVAL,
        "",
    )
    assert cast.club.description == "We read and we talk."
    assert response.json()["name"] == "Renamed"
    assert response.json()["my_role"] == role


# Deleting ------------------------------------------------------------------------------------------


def test_the_owner_deletes_the_club_with_its_memberships(api_client, cast):
    api_client.force_authenticate(cast.owner)
    response = api_client.delete(detail_url(cast.club))
    assert response.status_code == 204
    assert not Club.objects.exists()
    assert not Membership.objects.exists()
