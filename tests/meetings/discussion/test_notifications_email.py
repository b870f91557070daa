"""The discussion's emails and the home page's feed never carry a post's text to someone the gate
keeps it from: a mention to a member below the post's page names the page instead; the daily digest
(one a day per meeting per member) never quotes a post; muted kinds send no email."""

from datetime import date

import pytest
from django.core import mail

from meetings.discussion import services, tasks
from social.models import Notification, NotificationKind
from tests.factories import MeetingFactory
from tests.meetings.discussion.conftest import set_page
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db

MARKER = "Marker phrase: the captain is the ghost"


def mail_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def everything_in(message) -> str:
    return "\n".join([message.subject, message.body, *(content for content, _ in message.alternatives)])


def test_a_mention_email_names_the_page_to_a_member_below_it_and_quotes_a_member_who_may_read(
    cast, meeting, django_capture_on_commit_callbacks
):
    set_page(meeting, cast.moderator, 250)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(
            author=cast.owner,
            meeting=meeting,
            body=f"@{cast.member.username} @{cast.moderator.username} {MARKER}",
            spoiler_page=200,
        )
    [behind] = mail_to(cast.member)
    assert MARKER not in everything_in(behind)
    assert "page 200" in behind.body and "page 100" in behind.body
    [ahead] = mail_to(cast.moderator)
    assert MARKER in ahead.body
    assert mail_to(cast.owner) == []  # the author is not mailed about their own post


def test_digest_emails_are_one_a_day_per_meeting_per_member_and_never_quote_a_post(
    cast, meeting, django_capture_on_commit_callbacks, monkeypatch
):
    second = MeetingFactory(club=cast.club, target_page=300)
    set_page(second, cast.owner, 250)
    set_page(second, cast.member, 100)
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(3):
            services.post_create(
                author=cast.owner, meeting=meeting, body=f"{MARKER} {index}", spoiler_page=10
            )
        services.post_create(author=cast.owner, meeting=second, body=MARKER, spoiler_page=20)
        services.post_create(author=cast.owner, meeting=meeting, body=MARKER, spoiler_page=200)  # above
    digests = mail_to(cast.member)
    assert len(digests) == 2  # one per meeting, whatever the number of posts
    assert all(MARKER not in everything_in(message) for message in digests)
    assert mail_to(cast.moderator) == []  # on page 0: none of these posts is readable yet

    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2099, 1, 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=cast.owner, meeting=meeting, body=MARKER, spoiler_page=10)
    assert len(mail_to(cast.member)) == 3  # a new day, a new digest


def test_muted_kinds_are_notified_in_app_but_not_emailed(cast, meeting, django_capture_on_commit_callbacks):
    cast.member.email_muted_kinds = [NotificationKind.POST_MENTION, NotificationKind.DISCUSSION_DIGEST]
    cast.member.save(update_fields=["email_muted_kinds"])
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(
            author=cast.owner, meeting=meeting, body=f"@{cast.member.username} hi", spoiler_page=5
        )
        services.post_create(author=cast.owner, meeting=meeting, body="Another one", spoiler_page=5)
    kinds = set(Notification.objects.filter(recipient=cast.member).values_list("kind", flat=True))
    assert kinds == {NotificationKind.POST_MENTION, NotificationKind.DISCUSSION_DIGEST}
    assert mail_to(cast.member) == []


def test_the_home_page_and_its_feed_never_show_a_posts_text(client, cast, meeting):
    befriend(cast.owner, cast.member)
    # The feed lists the friend's joining the club; the posts are not in it, nor their text anywhere.
    services.post_create(author=cast.owner, meeting=meeting, body=MARKER, spoiler_page=5)
    services.post_create(author=cast.owner, meeting=meeting, body=f"{MARKER} later", spoiler_page=240)
    for viewer in (cast.member, cast.owner):
        client.force_login(viewer)
        response = client.get("/")
        assert response.status_code == 200
        assert MARKER not in response.text
    client.force_login(cast.member)
    assert cast.club.name in client.get("/").text
