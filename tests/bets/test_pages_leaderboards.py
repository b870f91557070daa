"""The leaderboards pages: everyone, clubs and each club, all time and the last 30 days, my own rank."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bets import services
from clubs.models import Visibility
from social.models import User
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def moderator(db):
    return User.objects.create_superuser(
        username="points-mod", email="pm@example.com", password="x-long-pass"
    )


def _rich(count: int, moderator, *, club=None) -> list[User]:
    """`count` people with more points than anyone at 100."""
    people = []
    for number in range(count):
        person = UserFactory()
        if club is not None:
            add_member(club, person)
        services.account_open(user=person)
        services.points_adjust(actor=moderator, user=person, amount=10 + number, note="Test prize")
        people.append(person)
    return people


def test_global_leaderboard_ranks_everyone_and_marks_me(client, cast, race, moderator):
    _rich(2, moderator)
    client.force_login(cast.member)

    response = client.get("/leaderboards/")

    assert response.status_code == 200
    assert "<html" in response.text
    board = response.text.split('class="leaderboard"')[1]
    assert board.count("<tr") == 1 + 2 + 3  # header, the two rich, the three at 100
    assert "#1</td>" in board and "111" in board
    my_row = board.split('aria-current="true">')[1].split("</tr>")[0]
    assert '<td class="rank">#3</td>' in my_row  # three people share 100 points: all #3
    assert "(you)" in board
    assert 'id="my-standing"' not in response.text  # I am on the page
    assert 'href="/leaderboards/global/" aria-current="page"' in response.text
    assert "style=" not in response.text


def test_leaderboard_fragment_is_the_board_alone(client, cast, race):
    client.force_login(cast.member)
    response = client.get("/leaderboards/clubs/?period=30d", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    # The fragment opens with its <title> (htmx sets the tab's title from it), then the board.
    title, board = response.text.lstrip().split("\n", 1)
    assert title == "<title>Clubs leaderboard · last 30 days · Booky</title>"
    assert board.startswith('<div id="leaderboard">')
    assert "Last 30 days" in response.text


def test_unknown_period_is_422_with_a_message_and_shows_all_time(client, cast, race):
    client.force_login(cast.member)
    response = client.get("/leaderboards/global/?period=forever")
    assert response.status_code == 422
    assert "There is no period “forever”: showing all time." in response.text
    assert "(you)" in response.text


def test_my_rank_shows_when_i_am_off_the_page(client, cast, race, moderator):
    _rich(30, moderator)
    client.force_login(cast.member)

    first = client.get("/leaderboards/")
    second = client.get("/leaderboards/?page=2")

    assert "You: #31 with 100 points" in first.text
    assert "(you)" not in first.text
    assert 'id="my-standing"' not in second.text and "(you)" in second.text


def test_club_leaderboard_lists_members_by_points_earned_in_the_club(client, cast, race):
    client.force_login(cast.member)
    response = client.get(f"/leaderboards/club-{cast.club.slug}/")
    assert response.status_code == 200
    assert f"Members ranked by the points they earned at {cast.club.name}" in response.text
    assert f'href="/leaderboards/club-{cast.club.slug}/" aria-current="page"' in response.text
    assert "(you)" in response.text


def test_clubs_leaderboard_ranks_clubs_by_points_earned_at_meetings(client, cast, race):
    services.points_award_check_in(user=cast.member, meeting=race)
    client.force_login(cast.member)
    response = client.get("/leaderboards/clubs/")
    board = response.text.split('class="leaderboard"')[1]
    assert f">{cast.club.name}</a>" in board and ">10<" in board
    assert '<tr class="me">' in board


def test_private_club_board_is_404_to_non_members(client, cast, race):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    url = f"/leaderboards/club-{cast.club.slug}/"
    assert client.get(url).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.member)
    assert client.get(url).status_code == 200


def test_unknown_board_is_404(client):
    assert client.get("/leaderboards/richest/").status_code == 404
    assert client.get("/leaderboards/club-no-such-club/").status_code == 404


def test_anonymous_visitors_see_the_global_board_without_a_rank(client, cast, race):
    response = client.get("/leaderboards/")
    assert response.status_code == 200
    assert "You:" not in response.text and "(you)" not in response.text


@pytest.mark.parametrize("scope", ["global", "clubs", "club"])
@pytest.mark.parametrize("period", ["all", "30d"])
def test_leaderboard_page_costs_the_same_whatever_the_number_of_members(
    client, cast, race, moderator, scope, period
):
    scope = f"club-{cast.club.slug}" if scope == "club" else scope
    url = f"/leaderboards/{scope}/?period={period}"
    client.force_login(cast.member)
    _rich(3, moderator, club=cast.club)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _rich(40, moderator, club=cast.club)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 10
