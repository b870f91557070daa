"""Stored pages (booky/core/page_cache.py): a second visit is answered without building the page, and
never with anything older than the latest write, another viewer's page, a spent flash message or a
CSRF token that no longer works."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booky.core import data_version, page_cache
from meetings import services as meeting_services
from meetings.models import Attendance, Rsvp
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 30


@pytest.fixture
def meeting(cast):
    meeting = MeetingFactory(club=cast.club)
    for user in (cast.owner, cast.member):
        Attendance.objects.create(meeting=meeting, user=user, rsvp=Rsvp.GOING)
    return meeting


def _log_in(client, user):
    client.force_login(user)
    client.get("/")  # the first answer sets the CSRF cookie, and is never stored (see below)


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def test_a_second_visit_is_the_same_page_without_building_it(client, cast, meeting):
    _log_in(client, cast.member)
    first, built = _get(client, f"/meetings/{meeting.pk}/")
    again, stored = _get(client, f"/meetings/{meeting.pk}/")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert built > 3 and stored <= 2  # the session's user, nothing of the page


def test_off_when_the_setting_is_zero(client, cast, meeting, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _log_in(client, cast.member)
    _get(client, f"/meetings/{meeting.pk}/")
    _, queries = _get(client, f"/meetings/{meeting.pk}/")
    assert queries > 3


def test_another_members_progress_shows_at_once(client, cast, meeting):
    _log_in(client, cast.member)
    before, _ = _get(client, f"/meetings/{meeting.pk}/")
    assert "p. 120" not in before.text
    owner = Client()
    _log_in(owner, cast.owner)
    saved = owner.post(f"/meetings/{meeting.pk}/progress/", {"current_page": "120"}, headers=HX)
    assert saved.status_code == 200
    after, _ = _get(client, f"/meetings/{meeting.pk}/")
    assert "p. 120" in after.text


def test_a_write_outside_any_request_shows_at_once(client, cast, meeting):
    """A task or a shell writes through the same connections: the token changes as well."""
    _log_in(client, cast.member)
    _get(client, f"/meetings/{meeting.pk}/", **HX)
    attendance = Attendance.objects.get(meeting=meeting, user=cast.owner)
    meeting_services.attendance_progress(
        user=cast.owner, meeting=meeting, current_page=150, expected_version=attendance.version
    )
    race, queries = _get(client, f"/meetings/{meeting.pk}/", **HX)
    assert "p. 150" in race.text and queries > 2


def test_each_viewer_gets_their_own_page(client, cast, meeting):
    _log_in(client, cast.member)
    members_page, _ = _get(client, f"/clubs/{cast.club.slug}/")
    outsider = Client()
    _log_in(outsider, cast.outsider)
    outsiders_page, _ = _get(outsider, f"/clubs/{cast.club.slug}/")
    assert outsiders_page.content != members_page.content
    assert cast.outsider.username in outsiders_page.text or "Join" in outsiders_page.text
    visitor, _ = _get(Client(), f"/clubs/{cast.club.slug}/")
    assert visitor.content not in (members_page.content, outsiders_page.content)
    assert cast.member.username not in visitor.text.split("<main", 1)[0]  # no one's account menu


def test_the_fragment_and_the_page_are_stored_apart(client, cast, meeting):
    _log_in(client, cast.member)
    page, _ = _get(client, f"/meetings/{meeting.pk}/")
    fragment, _ = _get(client, f"/meetings/{meeting.pk}/", **HX)
    page_again, _ = _get(client, f"/meetings/{meeting.pk}/")
    assert "<html" in page.text and "<html" not in fragment.text
    assert page_again.content == page.content


def test_a_flash_message_shows_once_and_is_not_stored(client, cast):
    _log_in(client, cast.outsider)
    club_url = f"/clubs/{cast.club.slug}/"
    _get(client, club_url)
    client.post(f"/clubs/{cast.club.slug}/join/")
    welcomed, _ = _get(client, club_url)
    assert f"Welcome to {cast.club.name}!" in welcomed.text
    later, _ = _get(client, club_url)
    assert f"Welcome to {cast.club.name}!" not in later.text
    assert "Leave" in later.text  # and it is the member's page, not the one stored before joining


def test_the_csrf_token_of_a_stored_page_still_posts():
    from tests.factories import ClubFactory, UserFactory

    club = ClubFactory()
    reader = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    _log_in(browser, reader)
    browser.get(f"/clubs/{club.slug}/")
    stored, queries = _get(browser, f"/clubs/{club.slug}/")
    assert queries <= 2
    token = stored.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    joined = browser.post(f"/clubs/{club.slug}/join/", {"csrfmiddlewaretoken": token})
    assert joined.status_code == 302
    assert club.memberships.filter(user=reader).exists()


def test_a_stored_page_is_at_most_the_window_old(client, cast, meeting, monkeypatch):
    _log_in(client, cast.member)
    now = [1_000_000_020.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    _get(client, f"/meetings/{meeting.pk}/")
    _, stored = _get(client, f"/meetings/{meeting.pk}/")
    now[0] += 30
    _, rebuilt = _get(client, f"/meetings/{meeting.pk}/")
    assert stored <= 2 and rebuilt > 3


def test_an_unchanged_poll_is_304_from_the_stored_answer(client, cast, meeting):
    _log_in(client, cast.member)
    first, _ = _get(client, f"/meetings/{meeting.pk}/", **HX)
    poll, queries = _get(client, f"/meetings/{meeting.pk}/", **HX, **{"If-None-Match": first["ETag"]})
    assert poll.status_code == 304 and poll.content == b""
    assert poll["ETag"] == first["ETag"] and poll["Cache-Control"] == "private, no-cache"
    assert queries <= 2


def test_a_poll_that_arrives_first_with_an_etag_keeps_its_304(client, cast, meeting):
    """The view answers the first such poll of a window from its fingerprint; that 304 is kept, and
    answers the next polls naming the same ETag without it. A visit without the ETag still gets the
    whole fragment."""
    _log_in(client, cast.member)
    first, _ = _get(client, f"/meetings/{meeting.pk}/", **HX)
    from django.core.cache import cache

    cache.clear()
    poll, _ = _get(client, f"/meetings/{meeting.pk}/", **HX, **{"If-None-Match": first["ETag"]})
    assert poll.status_code == 304
    again, queries = _get(client, f"/meetings/{meeting.pk}/", **HX, **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and queries <= 2
    whole, _ = _get(client, f"/meetings/{meeting.pk}/", **HX)
    assert whole.status_code == 200 and whole.content == first.content


def test_pages_outside_the_list_are_never_stored(client, cast):
    _log_in(client, cast.member)
    _get(client, "/settings/")
    _, queries = _get(client, "/settings/")
    assert queries > 2


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('SELECT "a"."id" FROM "a"', None),
        ("  select 1", None),
        ('SAVEPOINT "s1"', None),
        ('INSERT INTO "bets_ledgerentry" ("x") VALUES (%s)', "bets_ledgerentry"),
        ('UPDATE "meetings_attendance" SET "current_page" = %s', "meetings_attendance"),
        ('DELETE FROM "social_friendship" WHERE id = %s', "social_friendship"),
        ("WITH moved AS (UPDATE x SET y = 1 RETURNING id) SELECT * FROM moved", "?"),
        ("WITH t AS (SELECT 1) SELECT * FROM t", None),
        ("TRUNCATE books_book", "?"),
    ],
)
def test_what_counts_as_a_write(sql, table):
    assert data_version.writes_table(sql) == table


def test_session_writes_do_not_change_the_data_version(cast):
    from django.contrib.sessions.backends.db import SessionStore

    data_version.bump()
    before = data_version.current()
    store = SessionStore()
    store["x"] = 1
    store.save()
    assert data_version.current() == before
    Attendance.objects.filter(pk=-1).update(current_page=1)
    assert data_version.current() != before


# --- The API's reads ------------------------------------------------------------------------------

HEADLESS = "/_allauth/app/v1"


def _api_log_in(user) -> dict:
    from tests.factories import PASSWORD

    response = Client().post(
        f"{HEADLESS}/auth/login",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()["meta"]


def test_an_api_read_is_stored_per_token_holder(cast, meeting):
    member, outsider = _api_log_in(cast.member), _api_log_in(cast.outsider)
    app = Client()
    url = f"/api/v1/meetings/{meeting.pk}/"
    as_member = {"Authorization": f"Bearer {member['access_token']}"}
    first, built = _get(app, url, **as_member)
    again, stored = _get(app, url, **as_member)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and stored < built
    club_url = f"/api/v1/clubs/{cast.club.slug}/"
    members_club = app.get(club_url, headers=as_member).json()
    outsiders_club = app.get(club_url, headers={"Authorization": f"Bearer {outsider['access_token']}"}).json()
    assert members_club != outsiders_club  # my role is part of the answer


def test_a_logged_out_token_gets_401_not_the_stored_answer(cast, meeting):
    tokens = _api_log_in(cast.member)
    app = Client()
    url = "/api/v1/me/"
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert app.get(url, headers=bearer).status_code == 200
    assert app.get(url, headers=bearer).status_code == 200
    logged_out = app.delete(f"{HEADLESS}/auth/session", headers={"X-Session-Token": tokens["session_token"]})
    assert logged_out.status_code == 401  # allauth's answer to a finished logout
    gone = app.get(url, headers=bearer)
    assert gone.status_code == 401 and gone["Content-Type"].startswith("application/json")


def test_an_api_write_shows_in_the_next_read(cast, meeting):
    tokens = _api_log_in(cast.member)
    app = Client()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    url = f"/api/v1/meetings/{meeting.pk}/"
    assert app.get(url, headers=bearer).json()["my_attendance"]["rsvp"] == "going"
    changed = app.put(
        f"/api/v1/meetings/{meeting.pk}/rsvp/",
        {"rsvp": "declined"},
        content_type="application/json",
        headers=bearer,
    )
    assert changed.status_code == 200
    assert app.get(url, headers=bearer).json()["my_attendance"]["rsvp"] == "declined"
