"""The discussion's pages as a member uses them: the page and its fragment, posting with and without
htmx, the form's errors, the thread actions, and query counts that do not grow with the posts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.discussion import services
from meetings.discussion.models import Post, PostStatus
from tests.meetings.discussion.conftest import set_page

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def discussion_url(meeting):
    return reverse("meetings:discussion", args=[meeting.pk])


def test_full_page_shows_readable_posts_and_placeholders(client, cast, meeting):
    services.post_create(author=cast.owner, meeting=meeting, body="Early *thoughts*", spoiler_page=20)
    services.post_create(author=cast.owner, meeting=meeting, body="The SECRETPHRASE", spoiler_page=200)
    client.force_login(cast.member)
    page = client.get(discussion_url(meeting)).content.decode()
    assert "<html" in page and "Discussion of" in page
    assert "<em>thoughts</em>" in page
    assert "SECRETPHRASE" not in page
    assert "About page 200 — you are on page 100" in page and "Show anyway" in page


def test_fragment_is_the_discussion_alone(client, cast, meeting):
    services.post_create(author=cast.owner, meeting=meeting, body="Early", spoiler_page=20)
    client.force_login(cast.member)
    fragment = client.get(discussion_url(meeting), headers=HTMX).content.decode()
    assert "<html" not in fragment and 'id="discussion"' in fragment and "Early" in fragment


def test_posting_without_javascript_redirects_to_the_post(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(
        reverse("meetings:post_create", args=[meeting.pk]), {"body": "Hi", "spoiler_page": "50"}
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{post.pk}")
    assert post.spoiler_page == 50


def test_posting_with_htmx_answers_the_discussion_with_the_new_post(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(
        reverse("meetings:post_create", args=[meeting.pk]), {"body": "Hello *you*"}, headers=HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "<em>you</em>" in body and "Posted, about page 100." in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "This field is required."),
        ({"body": "x" * 5001}, "at most 5000 characters"),
        ({"body": "Later", "spoiler_page": "150"}, "You are on page 100"),
        ({"body": "Nope", "spoiler_page": "-1"}, "greater than or equal to 0"),
        ({"body": "Nope", "spoiler_page": "ten"}, "Enter a whole number."),
    ],
)
def test_invalid_posts_answer_422_with_the_message_and_save_nothing(client, cast, meeting, data, message):
    client.force_login(cast.member)
    response = client.post(reverse("meetings:post_create", args=[meeting.pk]), data, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert "<html" not in response.content.decode()
    page = client.post(reverse("meetings:post_create", args=[meeting.pk]), data)
    assert page.status_code == 422 and "<html" in page.content.decode()
    assert not Post.objects.exists()


def test_the_eleventh_post_in_a_minute_is_refused_with_429(client, cast, meeting):
    client.force_login(cast.member)
    url = reverse("meetings:post_create", args=[meeting.pk])
    for number in range(services.POSTS_PER_MINUTE):
        client.post(url, {"body": f"Post {number}"}, headers=HTMX)
    response = client.post(url, {"body": "One more"}, headers=HTMX)
    assert response.status_code == 429 and "in the last minute" in response.content.decode()


def test_show_anyway_swaps_the_thread_with_the_text(client, cast, meeting):
    post = services.post_create(author=cast.owner, meeting=meeting, body="The SECRETPHRASE", spoiler_page=200)
    client.force_login(cast.member)
    response = client.post(reverse("meetings:post_reveal", args=[post.pk]), headers=HTMX)
    assert response.status_code == 200 and f'id="thread-{post.pk}"' in response.content.decode()
    assert "SECRETPHRASE" in response.content.decode()


def test_reply_react_and_undo_in_place(client, cast, meeting):
    post = services.post_create(author=cast.member, meeting=meeting, body="What now?", spoiler_page=10)
    client.force_login(cast.owner)
    reply = client.post(reverse("meetings:post_reply", args=[post.pk]), {"body": "Read on!"}, headers=HTMX)
    assert "Read on!" in reply.content.decode() and "Replied, about page" in reply.content.decode()
    reacted = client.post(reverse("meetings:post_react", args=[post.pk]), {"kind": "love"}, headers=HTMX)
    assert 'aria-label="Love: 1"' in reacted.content.decode()
    undone = client.post(
        reverse("meetings:post_react", args=[post.pk]), {"kind": "love", "undo": "1"}, headers=HTMX
    )
    assert 'aria-label="Love: 0"' in undone.content.decode()
    bad = client.post(reverse("meetings:post_react", args=[post.pk]), {"kind": "angry"}, headers=HTMX)
    assert bad.status_code == 422 and "Choose one of the reactions." in bad.content.decode()


def test_delete_asks_first_without_javascript(client, cast, meeting):
    post = services.post_create(author=cast.member, meeting=meeting, body="Oops", spoiler_page=0)
    client.force_login(cast.member)
    confirm = client.get(reverse("meetings:post_delete", args=[post.pk]))
    assert confirm.status_code == 200 and "Delete your post?" in confirm.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()
    client.post(reverse("meetings:post_delete", args=[post.pk]))
    assert not Post.objects.filter(pk=post.pk).exists()


def test_edit_page_saves_and_marks_edited(client, cast, meeting):
    post = services.post_create(author=cast.member, meeting=meeting, body="First", spoiler_page=0)
    client.force_login(cast.member)
    assert "First" in client.get(reverse("meetings:post_edit", args=[post.pk])).content.decode()
    stale = client.post(
        reverse("meetings:post_edit", args=[post.pk]), {"body": "Second", "spoiler_page": "0", "version": "9"}
    )
    assert stale.status_code == 409 and "reload it" in stale.content.decode()
    client.post(
        reverse("meetings:post_edit", args=[post.pk]), {"body": "Second", "spoiler_page": "0", "version": "1"}
    )
    page = client.get(discussion_url(meeting)).content.decode()
    assert "Second" in page and "edited" in page


def test_moderators_hide_with_a_reason_and_see_the_queue(client, cast, meeting):
    post = services.post_create(author=cast.member, meeting=meeting, body="Rude words", spoiler_page=90)
    services.post_report(reporter=cast.owner, post=post, reason="Not kind")  # the owner is on page 250
    client.force_login(cast.moderator)
    queue = client.get(reverse("meetings:reports", args=[cast.club.slug])).content.decode()
    assert "Not kind" in queue and "Rude words" not in queue  # the moderator is on page 0
    no_reason = client.post(
        reverse("meetings:post_moderate", args=[post.pk]), {"action": "hide", "reason": ""}
    )
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.content.decode()
    client.post(reverse("meetings:post_moderate", args=[post.pk]), {"action": "hide", "reason": "Be kind"})
    post.refresh_from_db()
    assert post.status == PostStatus.HIDDEN
    set_page(meeting, cast.owner, 300)
    client.force_login(cast.owner)
    assert (
        "No open reports" in client.get(reverse("meetings:reports", args=[cast.club.slug])).content.decode()
    )


def test_outsiders_of_a_public_club_see_the_count_only(client, cast, meeting):
    services.post_create(author=cast.owner, meeting=meeting, body="Members talk", spoiler_page=0)
    client.force_login(cast.outsider)
    page = client.get(discussion_url(meeting)).content.decode()
    assert "Members talk" not in page and "1 post" in page and "can read and join the discussion" in page
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Members talk" not in meeting_page


def test_meeting_page_has_the_discussion_section_and_the_race_poll_counts_new_posts(client, cast, meeting):
    first = services.post_create(author=cast.owner, meeting=meeting, body="First words", spoiler_page=0)
    client.force_login(cast.member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="discussion"' in page and "First words" in page
    assert f'id="discussion-since" name="since" value="{first.pk}"' in page
    services.post_create(author=cast.owner, meeting=meeting, body="Second", spoiler_page=0)
    services.post_create(author=cast.owner, meeting=meeting, body="Third", spoiler_page=250)
    poll = client.get(meeting.get_absolute_url(), {"since": first.pk}, headers=HTMX).content.decode()
    assert "2 new posts in the discussion — show" in poll and "Third" not in poll
    quiet = client.get(meeting.get_absolute_url(), {"since": "x"}, headers=HTMX)
    assert quiet.status_code == 200 and "new post" not in quiet.content.decode()
    section = client.get(discussion_url(meeting), {"section": "1"}, headers=HTMX).content.decode()
    assert "Second" in section and 'id="discussion-since"' in section


def _seed(meeting, cast, count):
    """`count` more posts at pages 0..299, and a reply under three of them."""
    for number in range(count):
        Post.objects.create(
            meeting=meeting,
            author=cast.owner,
            body=f"p{number}",
            body_html=f"<p>p{number}</p>",
            spoiler_page=number % 300,
        )
    for parent in Post.objects.filter(meeting=meeting, parent=None, spoiler_page__lte=100)[:3]:
        services.post_create(author=cast.member, meeting=meeting, body="Re", parent=parent)


def _queries(client, url, headers):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers=headers).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["discussion", "discussion fragment", "meeting page"])
def test_query_count_does_not_grow_with_the_posts(client, cast, meeting, django_assert_max_num_queries, path):
    client.force_login(cast.member)
    url = meeting.get_absolute_url() if path == "meeting page" else discussion_url(meeting)
    headers = HTMX if path == "discussion fragment" else None
    _seed(meeting, cast, 3)
    few = _queries(client, url, headers or {})
    _seed(meeting, cast, 297)
    with django_assert_max_num_queries(few):
        assert client.get(url, headers=headers or {}).status_code == 200
