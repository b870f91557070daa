"""`me/points/` (balance and ledger) and `leaderboards/{scope}/` through the API."""

import pytest
from rest_framework.test import APIClient

from bets import services
from clubs.models import Visibility
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# My points ------------------------------------------------------------------------------------------


def test_my_points_show_the_balance_and_the_ledger_newest_first_with_links(cast, race):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)

    response = client_for(cast.member).get("/api/v1/me/points/")

    assert response.status_code == 200
    body = response.json()
    assert body["balance"] == 70 and body["count"] == 2
    stake, signup = body["results"]
    assert (stake["reason"], stake["amount"], stake["balance_after"], stake["bet"]) == (
        "stake",
        -30,
        70,
        bet.pk,
    )
    assert stake["meeting"] == {"id": race.pk, "title": race.display_title}
    assert stake["reason_display"] == "Bet placed"
    assert (signup["reason"], signup["amount"], signup["meeting"], signup["bet"]) == (
        "signup",
        100,
        None,
        None,
    )
    assert signup["created_at"]


def test_my_points_are_paginated_and_cost_the_same_queries_per_page(cast, race, django_assert_num_queries):
    bet = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=1)
    for amount in range(2, 25):
        services.bet_change(bettor=cast.member, bet=bet, amount=amount)
    client = client_for(cast.member)

    with django_assert_num_queries(3):  # count, page, balance
        first = client.get("/api/v1/me/points/", {"page_size": 10}).json()
    last = client.get("/api/v1/me/points/", {"page_size": 10, "page": 3}).json()

    assert first["count"] == 25 and len(first["results"]) == 10 and first["next"]
    assert len(last["results"]) == 5 and last["next"] is None
    assert last["results"][-1]["reason"] == "signup"
    bad_page = client.get("/api/v1/me/points/", {"page": "lots"})
    assert bad_page.status_code == 404 and bad_page.json()["code"] == "not_found"


def test_my_points_need_a_login():
    response = client_for(None).get("/api/v1/me/points/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_member_without_an_account_sees_zero_and_an_empty_ledger(user):
    body = client_for(user).get("/api/v1/me/points/").json()
    assert (body["balance"], body["count"], body["results"]) == (0, 0, [])


# Leaderboards ---------------------------------------------------------------------------------------


def test_the_global_leaderboard_lists_ranks_and_includes_my_rank_off_the_page():
    users = [UserFactory() for _ in range(5)]
    for index, user in enumerate(users):
        services.account_open(user=user)
        if index:
            club = ClubFactory()
            for _ in range(index):
                services.points_award_check_in(user=user, meeting=MeetingFactory(club=club))

    response = client_for(users[0]).get("/api/v1/leaderboards/global/", {"page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert (body["scope"], body["period"], body["count"]) == ("global", "all", 5)
    assert [(row["user"]["username"], row["rank"], row["points"]) for row in body["results"]] == [
        (users[4].username, 1, 140),
        (users[3].username, 2, 130),
    ]
    assert body["results"][0]["club"] is None
    assert body["me"] == {
        "rank": 5,
        "points": 100,
        "user": {"username": users[0].username, "display_name": users[0].name},
        "club": None,
    }
    assert body["my_clubs"] == []


def test_anonymous_visitors_get_the_board_without_me(user):
    services.account_open(user=user)
    body = client_for(None).get("/api/v1/leaderboards/global/?period=30d").json()
    assert body["me"] is None
    assert body["count"] == 0  # the welcome bonus does not count for the last 30 days


def test_the_clubs_board_hides_private_clubs_from_outsiders_and_lists_my_clubs():
    public = ClubFactory(slug="open-readers")
    secret = ClubFactory(slug="hidden-readers", visibility=Visibility.PRIVATE)
    insider = add_member(secret).user
    for club in (public, secret):
        meeting = MeetingFactory(club=club)
        services.points_award_check_in(user=club.memberships.get(role="owner").user, meeting=meeting)

    outsider_view = client_for(UserFactory()).get("/api/v1/leaderboards/clubs/").json()
    insider_view = client_for(insider).get("/api/v1/leaderboards/clubs/?period=all").json()

    assert [row["club"]["slug"] for row in outsider_view["results"]] == ["open-readers"]
    assert {row["club"]["slug"] for row in insider_view["results"]} == {"open-readers", "hidden-readers"}
    assert [(row["club"]["slug"], row["points"]) for row in insider_view["my_clubs"]] == [
        ("hidden-readers", 10)
    ]
    assert insider_view["me"] is None
    assert insider_view["results"][0]["user"] is None


def test_a_club_board_ranks_members_by_what_they_earned_there(cast, race):
    services.points_award_check_in(user=cast.member, meeting=race)

    body = client_for(cast.member).get(f"/api/v1/leaderboards/club-{cast.club.slug}/").json()

    assert body["results"][0]["user"]["username"] == cast.member.username
    assert body["results"][0]["points"] == 10
    assert body["me"]["rank"] == 1
    assert body["count"] == 3  # every member, with 0 for those who earned nothing yet


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/leaderboards/everyone/", 404, "unknown_leaderboard"),
        ("/api/v1/leaderboards/club-no-such/", 404, "unknown_leaderboard"),
        ("/api/v1/leaderboards/global/?period=week", 400, "invalid_period"),
        ("/api/v1/leaderboards/clubs/?period=", 200, None),
        ("/api/v1/leaderboards/global/?page=0", 404, "not_found"),
        ("/api/v1/leaderboards/global/?page_size=x", 200, None),
    ],
)
def test_unknown_scopes_periods_and_pages_are_clear_json_errors(path, status, code):
    response = client_for(None).get(path)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code and response.json()["detail"]


def test_a_private_clubs_board_is_404_for_outsiders(cast):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    for user in (cast.outsider, None):
        response = client_for(user).get(f"/api/v1/leaderboards/club-{cast.club.slug}/")
        assert response.status_code == 404 and response.json()["code"] == "unknown_leaderboard"
    assert client_for(cast.member).get(f"/api/v1/leaderboards/club-{cast.club.slug}/").status_code == 200


def test_leaderboard_writes_are_not_allowed(user):
    response = client_for(user).post("/api/v1/leaderboards/global/", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
