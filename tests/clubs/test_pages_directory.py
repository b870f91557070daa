"""The club directory (/clubs/) and "My clubs" (/clubs/mine/)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubs.models import JoinRequest, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_directory_lists_public_clubs_and_only_my_private_ones(client):
    reader = UserFactory()
    ClubFactory(name="Open Shelf")
    mine = ClubFactory(name="Secret Attic", visibility=Visibility.PRIVATE)
    add_member(mine, reader)
    ClubFactory(name="Hidden Cellar", visibility=Visibility.PRIVATE)

    client.force_login(reader)
    response = client.get("/clubs/")

    assert response.status_code == 200
    assert "<html" in response.text
    assert "Open Shelf" in response.text
    assert "Secret Attic" in response.text
    assert "Hidden Cellar" not in response.text


def test_anonymous_visitors_see_public_clubs_only(client):
    ClubFactory(name="Open Shelf")
    ClubFactory(name="Secret Attic", visibility=Visibility.PRIVATE)
    response = client.get("/clubs/")
    assert "Open Shelf" in response.text
    assert "Secret Attic" not in response.text


def test_directory_shows_member_counts_and_my_role(client):
    club = ClubFactory(name="Open Shelf")
    reader = add_member(club).user
    add_member(club)
    client.force_login(reader)
    response = client.get("/clubs/")
    assert "3 members" in response.text
    assert "You're a member" in response.text


def test_search_matches_name_and_city(client):
    ClubFactory(name="Moby Dick Fans", city="Nantucket")
    ClubFactory(name="Porto Poets", city="Porto")
    by_name = client.get("/clubs/", {"q": "moby"})
    by_city = client.get("/clubs/", {"q": "porto"})
    assert "Moby Dick Fans" in by_name.text and "Porto Poets" not in by_name.text
    assert "Porto Poets" in by_city.text and "Moby Dick Fans" not in by_city.text
    assert 'value="moby"' in by_name.text


def test_htmx_search_answers_with_the_results_fragment_only(client):
    ClubFactory(name="Moby Dick Fans")
    ClubFactory(name="Porto Poets")
    response = client.get("/clubs/", {"q": "moby"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' in response.text
    assert "Moby Dick Fans" in response.text
    assert "Porto Poets" not in response.text
    # The result count lives outside the swapped region so screen readers hear it change.
    assert 'data-hx-swap-oob="innerHTML"' in response.text
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(client):
    response = client.get("/clubs/", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.text
    assert "data-hx-swap-oob" not in response.text


def test_search_without_matches_says_so(client):
    ClubFactory(name="Porto Poets")
    response = client.get("/clubs/", {"q": "zeppelin"})
    assert response.status_code == 200
    assert "No clubs match “zeppelin”" in response.text


def test_empty_directory_invites_to_start_a_club(client):
    response = client.get("/clubs/")
    assert "No clubs yet, start one" in response.text
    assert 'href="/clubs/new/"' in response.text


@pytest.mark.parametrize("query", ["nul\x00byte", "x" * 5000, "%", "' OR 1=1 --"])
def test_odd_search_text_never_fails(client, query):
    ClubFactory(name="Porto Poets")
    response = client.get("/clubs/", {"q": query})
    assert response.status_code == 200


def test_directory_shows_12_clubs_per_page_and_page_links_keep_the_search(client):
    for number in range(14):
        ClubFactory(name=f"Poets {number:02d}")
    ClubFactory(name="Unrelated")

    first = client.get("/clubs/", {"q": "poets"})
    second = client.get("/clubs/", {"q": "poets", "page": "2"})

    assert first.text.count('class="club-card"') == 12
    assert "14 clubs match" in first.text
    assert 'href="/clubs/?q=poets&amp;page=2"' in first.text
    assert second.text.count('class="club-card"') == 2
    assert 'aria-current="page"' in second.text
    assert "Unrelated" not in second.text


@pytest.mark.parametrize("page", ["99", "abc", "-1", "0"])
def test_out_of_range_or_junk_page_numbers_still_show_a_page(client, page):
    ClubFactory(name="Porto Poets")
    response = client.get("/clubs/", {"page": page})
    assert response.status_code == 200
    assert "Porto Poets" in response.text


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_directory_queries_do_not_grow_with_the_number_of_clubs(client):
    reader = UserFactory()
    client.force_login(reader)
    for _ in range(3):
        add_member(ClubFactory(), reader)
    with_three = _count_queries(client, "/clubs/")
    for _ in range(27):
        add_member(ClubFactory(), UserFactory())
    with_thirty = _count_queries(client, "/clubs/")
    assert with_three == with_thirty


def test_my_clubs_lists_my_clubs_with_my_role_and_pending_requests(client, cast):
    other = ClubFactory(name="Another Shelf")
    add_member(other, cast.member)
    JoinRequest.objects.create(club=ClubFactory(name="Waiting Room"), user=cast.member)
    ClubFactory(name="Not Mine")

    client.force_login(cast.member)
    response = client.get("/clubs/mine/")

    assert response.status_code == 200
    assert cast.club.name in response.text
    assert "Another Shelf" in response.text
    assert "Not Mine" not in response.text
    assert "Member" in response.text
    assert "Pending requests" in response.text and "Waiting Room" in response.text
    assert "Cancel request" in response.text


def test_my_clubs_without_any_club_shows_the_empty_state(client, user):
    client.force_login(user)
    response = client.get("/clubs/mine/")
    assert "You are not in any club yet." in response.text
    assert "No pending requests." in response.text


def test_my_clubs_asks_anonymous_visitors_to_log_in(client, db):
    response = client.get("/clubs/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/clubs/mine/")


def test_cancelling_a_request_from_my_clubs_goes_back_there(client, cast):
    client.force_login(cast.requester)
    response = client.post(f"/clubs/{cast.club.slug}/request/cancel/", {"from": "mine"})
    assert response.status_code == 302
    assert response["Location"] == "/clubs/mine/"
    assert not JoinRequest.objects.filter(user=cast.requester).exists()
    assert "was cancelled" in client.get("/clubs/mine/").text


def test_cancelling_a_request_from_my_clubs_with_htmx_swaps_the_row(client, cast):
    client.force_login(cast.requester)
    response = client.post(f"/clubs/{cast.club.slug}/request/cancel/", {"from": "mine"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="pending-{cast.club.pk}"' in response.text
    assert "was cancelled" in response.text
    assert not JoinRequest.objects.filter(user=cast.requester).exists()


def test_cancelling_a_request_that_is_gone_says_so(client, cast):
    client.force_login(cast.outsider)
    response = client.post(f"/clubs/{cast.club.slug}/request/cancel/", {"from": "mine"}, headers=HX)
    assert "You have no pending request for this club." in response.text
