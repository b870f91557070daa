"""Rules every page of the site keeps, checked by walking the URL patterns (so a new page is covered
the day it is added): HEAD answers like GET, GET writes nothing, and a page that serves a fragment to
htmx says `Vary: HX-Request`."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from books.models import ImportCheck, Shelf, ShelfImport
from books.shelves import services as shelf_services
from clubs.models import ClubInvitation, JoinRequest, Role
from clubs.polls import services as poll_services
from meetings import services as meeting_services
from meetings.discussion import services as discussion_services
from meetings.models import Attendance, CalendarFeed
from social.models import Notification, NotificationKind
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

# Not Booky's pages: Django's admin, allauth's screens, the API (walked from its schema below), media.
SKIPPED_PREFIXES = ("admin", "accounts", "_allauth", "api", "media")
HX = {"HX-Request": "true"}


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            child_namespace = entry.namespace or namespace
            yield from _walk(entry.url_patterns, route, child_namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield route, f"{namespace}:{entry.name}" if namespace else entry.name


class World:
    """One of everything a page can be about, seen by the club's owner."""

    def __init__(self):
        self.owner = UserFactory(username="owner")
        self.club = ClubFactory(owner=self.owner)
        self.member = add_member(self.club).user
        self.membership = self.club.memberships.get(user=self.member)
        self.book = BookFactory()
        self.meeting = MeetingFactory(club=self.club, book=self.book)
        Attendance.objects.create(meeting=self.meeting, user=self.member)
        self.join_request = JoinRequest.objects.create(club=self.club, user=UserFactory())
        other_club = ClubFactory()
        add_member(other_club, role=Role.MEMBER, user=UserFactory())
        self.invitation = ClubInvitation.objects.create(
            club=other_club, inviter=other_club.memberships.first().user, invitee=self.owner
        )
        self.notification = Notification.objects.create(
            recipient=self.owner,
            kind=NotificationKind.values[0],
            message="Something happened",
            url="/friends/",
        )
        self.feed = meeting_services.calendar_feed_get_or_create(user=self.owner)
        self.post = discussion_services.post_create(
            author=self.member, meeting=self.meeting, body="A *post*", spoiler_page=0
        )
        self.report = discussion_services.post_report(reporter=self.owner, post=self.post, reason="Spam")
        self.shelf_entry = shelf_services.shelf_put(user=self.owner, book=self.book, shelf=Shelf.READ)
        self.shelf_import = ShelfImport.objects.create(
            user=self.owner, file_name="goodreads.csv", total_rows=1
        )
        self.import_check = ImportCheck.objects.create(
            user=self.owner, shelf_import=self.shelf_import, source_key="goodreads:1", line=2,
            title="A Book", shelf=Shelf.READ, reason="No book with this title and author in Booky.",
        )  # fmt: skip
        self.poll = poll_services.poll_open(
            actor=self.owner,
            club=self.club,
            nominations_close_at=timezone.now() + timedelta(days=1),
            voting_closes_at=timezone.now() + timedelta(days=2),
        )
        self.nomination = poll_services.nomination_add(actor=self.member, poll=self.poll, book=self.book)

    def url(self, route: str, name: str) -> str:
        kwargs = {}
        for key in re.findall(r"<(?:\w+:)?(\w+)>", route):
            kwargs[key] = self.value(name, key)
        return reverse(name, kwargs=kwargs)

    def value(self, name: str, key: str):
        namespace = name.split(":")[0]
        pks = {
            "meetings": self.meeting.pk,
            "bets": self.meeting.pk,
            "notifications": self.notification.pk,
            "clubs_invitations": self.invitation.pk,
            "books": self.book.pk,
        }
        if key == "pk":
            if name.startswith("clubs:poll"):
                return self.poll.pk
            if name == "books:shelf_entry_edit":
                return self.shelf_entry.pk
            if name == "books:import_status":
                return self.shelf_import.pk
            if name == "books:import_check":
                return self.import_check.pk
            if name.startswith("clubs:request"):
                return self.join_request.pk
            if name.startswith("clubs:member"):
                return self.membership.pk
            return pks[namespace]
        return {
            "slug": self.club.slug,
            "username": self.member.username,
            "action": "add",
            "code": self.club.invite_code,
            "token": self.feed.token,
            "scope": "global",
            "volume_id": "abc123",
            "work_key": "OL45883W",
            "post_id": self.post.pk,
            "report_id": self.report.pk,
            "nomination_pk": self.nomination.pk,
            "year": timezone.now().year,
        }[key]


@pytest.fixture
def world():
    return World()


def _pages(world):
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or "(?P<path>" in route:
            continue
        yield name, world.url(route, name)


def test_the_walk_covers_the_pages_it_should(world):
    names = {name for name, _url in _pages(world)}
    assert {"home", "clubs:detail", "meetings:detail", "books:picker", "notifications:open"} <= names
    assert {"social:calendar", "bets:leaderboard", "meetings:feed", "clubs:member_transfer"} <= names
    assert len(names) > 60


def _login(client, world, viewer):
    if viewer == "owner":
        client.force_login(world.owner)


@pytest.mark.parametrize("viewer", ["owner", "anonymous"])
def test_head_answers_like_get_on_every_page(client, world, viewer):
    _login(client, world, viewer)
    mismatches = []
    for _name, url in _pages(world):
        head, get = client.head(url), client.get(url)
        if head.status_code != get.status_code:  # require_GET answered HEAD 405
            mismatches.append((url, head.status_code, get.status_code))
        assert head.content == b"", url
    assert mismatches == []


@pytest.mark.parametrize("viewer", ["owner", "anonymous"])
def test_get_writes_nothing_on_any_page(client, world, viewer):
    _login(client, world, viewer)
    writers = []
    for _name, url in _pages(world):
        for headers in ({}, HX):
            with CaptureQueriesContext(connection) as queries:
                client.get(url, headers=headers)
            writes = [
                query["sql"]
                for query in queries.captured_queries
                if re.match(r"\s*(INSERT|UPDATE|DELETE)", query["sql"], re.IGNORECASE)
                # The session backs flash messages; storing one is not a change to the club's data.
                and "django_session" not in query["sql"]
            ]
            if writes:
                writers.append((url, headers, writes[0][:120]))
    assert writers == []
    assert not CalendarFeed.objects.exclude(pk=world.feed.pk).exists()
    world.notification.refresh_from_db()
    assert world.notification.read_at is None


_PER_RESPONSE_TOKENS = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]+')


def _shape(response) -> tuple:
    """What decides whether two answers are different representations (CSRF tokens, CSP nonces aside)."""
    return (
        response.status_code,
        response.get("Location"),
        response.get("HX-Redirect"),
        # Fragments are HTML; other bodies (an .ics stamped with the current second) only differ by time.
        _PER_RESPONSE_TOKENS.sub(rb"\1", response.content)
        if "html" in response.get("Content-Type", "")
        else b"",
    )


@pytest.mark.parametrize("viewer", ["owner", "anonymous"])
def test_every_page_that_answers_htmx_differently_varies_on_hx_request(client, world, viewer):
    _login(client, world, viewer)
    branching, missing = [], []
    for name, url in _pages(world):
        full, fragment = client.get(url), client.get(url, headers=HX)
        if _shape(full) == _shape(fragment):
            continue
        branching.append(name)
        for response in (full, fragment):
            if "HX-Request" not in response.get("Vary", ""):
                missing.append((url, response.status_code))
    assert missing == []
    if viewer == "owner":
        assert {"books:picker", "meetings:detail", "social:calendar", "notifications:list"} <= set(branching)


def test_the_book_picker_varies_on_hx_request(client, world):
    for headers in ({}, HX):
        response = client.get("/books/picker/", {"q": "", "field": "book"}, headers=headers)
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]


def test_a_page_that_never_looks_at_htmx_does_not_vary_on_it(client, world):
    response = client.get(reverse("meetings:feed", kwargs={"token": world.feed.token}))
    assert response.status_code == 200
    assert "HX-Request" not in response.get("Vary", "")


def test_head_works_on_every_api_read(world):
    api = APIClient()
    api.force_authenticate(world.owner)
    schema = api.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    values = {
        "slug": world.club.slug,
        "club_slug": world.club.slug,
        "username": world.member.username,
        "meeting_pk": str(world.meeting.pk),
        "id": str(world.meeting.pk),
        "scope": "global",
    }
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], path)
        head, get = api.head(url), api.get(url)
        assert head.status_code == get.status_code, url
        checked += 1
    assert checked > 15


def test_a_meeting_that_started_keeps_head_like_get(client, world):
    """The pages with most branches (started meeting: race closed, check-in open)."""
    world.meeting.starts_at = timezone.now() - timedelta(minutes=5)
    world.meeting.save(update_fields=["starts_at"])
    client.force_login(world.owner)
    for url in (f"/meetings/{world.meeting.pk}/", f"/meetings/{world.meeting.pk}/bets/"):
        assert client.head(url).status_code == client.get(url).status_code
