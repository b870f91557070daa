"""The spoiler gate over every surface: a post's marker phrase reaches exactly the readers the rule
allows — on the discussion page and its fragment, the meeting page and its race poll, the API's list,
detail and replies, the notifications (bell, list, the rows), the emails, the dashboard's activity feed
and the book search.

Each post's body mentions every viewer (but the one who blocked its author, whom its author cannot
mention), so the notification and email surfaces are exercised for every reader. Expected readers are
written out by hand here, not computed by the gate."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from clubs.models import Visibility
from meetings.discussion import services
from social.models import Block, Notification
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member
from tests.meetings.discussion.conftest import set_page

pytestmark = pytest.mark.django_db

# Each post: (key, spoiler page, parent key or None).
POSTS = [("p50", 50, None), ("p150", 150, None), ("p250", 250, None), ("r200", 200, "p150")]

# Who reads which post's text while the meeting has not started.
BEFORE_START = {
    "author": {"p50", "p150", "p250", "r200"},
    "behind": {"p50"},  # page 100
    "at150": {"p50", "p150"},  # exactly at the point of p150
    "ahead": {"p50", "p150", "p250", "r200"},  # page 260
    "revealed": {"p50", "p250"},  # page 100, chose "show anyway" on p250
    "blocker": {"r200"},  # page 300, blocked the author (r200 is another member's)
    "outsider": set(),
    "anonymous": set(),
}
AFTER_START = {
    **{
        viewer: {"p50", "p150", "p250", "r200"}
        for viewer in ("author", "behind", "at150", "ahead", "revealed")
    },
    "blocker": {"r200"},
    "outsider": set(),
    "anonymous": set(),
}


def marker(key: str) -> str:
    return f"MARKER{key.upper()}ZQX"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    club = ClubFactory(visibility=Visibility.PUBLIC)
    meeting = MeetingFactory(club=club, target_page=300)
    people = {"author": club.memberships.get().user}
    for name in ("behind", "at150", "ahead", "revealed", "blocker"):
        people[name] = add_member(club).user
    people["outsider"] = UserFactory()
    for name, page in (
        ("author", 280),
        ("behind", 100),
        ("at150", 150),
        ("ahead", 260),
        ("revealed", 100),
        ("blocker", 300),
    ):
        set_page(meeting, people[name], page)
    Block.objects.create(blocker=people["blocker"], blocked=people["author"])
    mentions = " ".join(f"@{people[name].username}" for name in ("behind", "at150", "ahead", "revealed"))
    posts = {}
    with django_capture_on_commit_callbacks(execute=True):
        for key, page, parent in POSTS:
            author = people["ahead"] if parent else people["author"]
            body = f"{marker(key)} is what happens. {mentions}"
            posts[key] = services.post_create(
                author=author, meeting=meeting, body=body, spoiler_page=page, parent=posts.get(parent)
            )
    services.post_reveal(user=people["revealed"], post=posts["p250"])
    return meeting, people, posts


def client_for(user, *, api=False):
    client = APIClient() if api else Client()
    if user is not None:
        client.force_login(user)
    return client


def page_surfaces(meeting, viewer, posts) -> dict[str, str]:
    """What the viewer's browser and API client receive from every read that could show a post."""
    browser, api = client_for(viewer), client_for(viewer, api=True)
    discussion = reverse("meetings:discussion", args=[meeting.pk])
    detail = reverse("meetings:detail", args=[meeting.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    answers = {
        "discussion page": browser.get(discussion),
        "discussion page by page": browser.get(discussion, {"order": "page"}),
        "discussion fragment": browser.get(discussion, **htmx),
        "meeting page": browser.get(detail),
        "race poll": browser.get(detail, {"since": 0}, **htmx),
        "book search": browser.get(reverse("books:search"), {"q": "MARKER"}),
        "home": browser.get("/"),
        "api list": api.get(f"/api/v1/meetings/{meeting.pk}/posts/"),
        "api list by page": api.get(f"/api/v1/meetings/{meeting.pk}/posts/", {"order": "page"}),
    }
    for key, post in posts.items():
        answers[f"api detail {key}"] = api.get(f"/api/v1/posts/{post.pk}/")
        if post.parent_id is None:
            answers[f"api replies {key}"] = api.get(f"/api/v1/posts/{post.pk}/replies/")
    texts = {}
    for surface, response in answers.items():
        assert response.status_code < 500, surface
        texts[surface] = response.content.decode()
    return texts


def message_surfaces(viewer) -> dict[str, str]:
    if viewer is None:
        return {}
    browser = client_for(viewer)
    texts = {
        "notification rows": " ".join(
            Notification.objects.filter(recipient=viewer).values_list("message", flat=True)
        ),
        "notifications page": browser.get(reverse("notifications:list")).content.decode(),
        "bell": browser.get(reverse("notifications:bell")).content.decode(),
    }
    for number, email in enumerate(message for message in mail.outbox if viewer.email in message.to):
        texts[f"email {number}"] = " ".join(
            [email.subject, email.body, *(content for content, _type in getattr(email, "alternatives", []))]
        )
    return texts


def readable_keys(texts: dict[str, str]) -> dict[str, set[str]]:
    return {surface: {key for key, *_ in POSTS if marker(key) in text} for surface, text in texts.items()}


@pytest.mark.parametrize("viewer_name", list(BEFORE_START))
def test_before_the_start_each_reader_gets_exactly_the_posts_up_to_their_page(world, viewer_name):
    meeting, people, posts = world
    viewer = people.get(viewer_name)
    expected = BEFORE_START[viewer_name]
    found = readable_keys({**page_surfaces(meeting, viewer, posts), **message_surfaces(viewer)})
    for surface, keys in found.items():
        assert keys <= expected, f"{viewer_name} read {keys - expected} on the {surface}"
    # The text does arrive where it should: the rule is not "show nothing".
    assert found["discussion page"] == expected
    assert found["discussion fragment"] == expected
    assert found["api list"] >= expected - {"r200"}


@pytest.mark.parametrize("viewer_name", list(AFTER_START))
def test_once_the_meeting_has_started_every_member_reads_everything_but_blocked_authors(world, viewer_name):
    meeting, people, posts = world
    meeting.starts_at = timezone.now() - timedelta(minutes=5)
    meeting.save()
    viewer = people.get(viewer_name)
    expected = AFTER_START[viewer_name]
    found = readable_keys(page_surfaces(meeting, viewer, posts))
    for surface, keys in found.items():
        assert keys <= expected, f"{viewer_name} read {keys - expected} on the {surface}"
    assert found["discussion page"] == expected
    assert found["api list"] == expected


def test_reaching_the_page_opens_the_post(world):
    meeting, people, posts = world
    assert "p150" not in readable_keys(page_surfaces(meeting, people["behind"], posts))["discussion page"]
    set_page(meeting, people["behind"], 150)
    found = readable_keys(page_surfaces(meeting, people["behind"], posts))
    assert {"p50", "p150"} <= found["discussion page"] and "p250" not in found["discussion page"]
    assert {"p50", "p150"} <= found["api list"]


def test_the_placeholder_tells_the_reader_where_they_are(world):
    meeting, people, _posts = world
    page = (
        client_for(people["behind"]).get(reverse("meetings:discussion", args=[meeting.pk])).content.decode()
    )
    assert "About page 250 — you are on page 100" in page
