"""The discussion's rules, through its services and the gate (the pages and the API call the same)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from booky.core.errors import Conflict, DomainError, NotAllowed
from meetings.discussion import gate, services
from meetings.discussion.markdown import mentioned_usernames, render_post_body
from meetings.discussion.models import Post, PostReaction, PostReport, PostReveal, PostStatus, ReportStatus
from meetings.discussion.selectors import discussion_page, reader_for
from social.models import Block, Notification, NotificationKind
from tests.factories import UserFactory, add_member
from tests.meetings.discussion.conftest import set_page

pytestmark = pytest.mark.django_db


def seen_by(user, post):
    post.refresh_from_db()
    return gate.seen(post, reader_for(user, post.meeting))


def test_spoiler_page_defaults_to_the_authors_page(cast, meeting):
    post = services.post_create(author=cast.owner, meeting=meeting, body="The twist!")
    assert post.spoiler_page == 250


def test_spoiler_page_can_be_set_lower_but_not_above_own_progress(cast, meeting):
    assert (
        services.post_create(author=cast.owner, meeting=meeting, body="Ch. 2", spoiler_page=40).spoiler_page
        == 40
    )
    with pytest.raises(DomainError, match="You are on page 250"):
        services.post_create(author=cast.owner, meeting=meeting, body="Later", spoiler_page=251)
    with pytest.raises(DomainError, match="target is page 300"):
        services.post_create(author=cast.owner, meeting=meeting, body="Beyond", spoiler_page=301)
    with pytest.raises(DomainError, match="whole number"):
        services.post_create(author=cast.owner, meeting=meeting, body="x", spoiler_page="ten")
    assert Post.objects.count() == 1


def test_a_reader_below_the_point_sees_the_placeholder_and_one_at_it_sees_the_text(cast, meeting):
    post = services.post_create(author=cast.owner, meeting=meeting, body="The twist!", spoiler_page=212)
    assert seen_by(cast.member, post) == gate.Seen.SPOILER
    assert gate.placeholder(post, reader_for(cast.member, meeting)) == "About page 212 — you are on page 100"
    set_page(meeting, cast.member, 212)
    assert seen_by(cast.member, post) == gate.Seen.TEXT
    assert seen_by(cast.owner, post) == gate.Seen.TEXT  # the author
    assert seen_by(cast.outsider, post) == gate.Seen.SPOILER  # outsiders never


def test_show_anyway_is_recorded_and_opens_that_post_only(cast, meeting):
    first = services.post_create(author=cast.owner, meeting=meeting, body="A", spoiler_page=200)
    second = services.post_create(author=cast.owner, meeting=meeting, body="B", spoiler_page=200)
    services.post_reveal(user=cast.member, post=first)
    assert PostReveal.objects.filter(user=cast.member, post=first).exists()
    assert seen_by(cast.member, first) == gate.Seen.TEXT
    assert seen_by(cast.member, second) == gate.Seen.SPOILER
    with pytest.raises(NotAllowed):
        services.post_reveal(user=cast.outsider, post=second)


def test_everything_is_open_once_the_meeting_has_started(cast, meeting):
    post = services.post_create(author=cast.owner, meeting=meeting, body="Ending", spoiler_page=250)
    meeting.starts_at = timezone.now() - timedelta(minutes=1)
    meeting.save()
    assert seen_by(cast.member, post) == gate.Seen.TEXT
    assert seen_by(cast.outsider, post) == gate.Seen.SPOILER


def test_a_reply_is_about_at_least_its_parents_page(cast, meeting):
    parent = services.post_create(author=cast.member, meeting=meeting, body="Early", spoiler_page=90)
    reply = services.post_create(
        author=cast.owner, meeting=meeting, body="Re", spoiler_page=10, parent=parent
    )
    assert reply.spoiler_page == 90
    parent.refresh_from_db()
    assert parent.reply_count == 1
    with pytest.raises(DomainError, match="not under a reply"):
        services.post_create(author=cast.owner, meeting=meeting, body="Deeper", parent=reply)


def test_raising_a_posts_page_raises_its_replies(cast, meeting):
    parent = services.post_create(author=cast.owner, meeting=meeting, body="Early", spoiler_page=50)
    reply = services.post_create(
        author=cast.owner, meeting=meeting, body="Re", parent=parent, spoiler_page=60
    )
    services.post_edit(actor=cast.owner, post=parent, spoiler_page=200)
    reply.refresh_from_db()
    assert reply.spoiler_page == 200


def test_no_reply_to_a_post_one_cannot_read(cast, meeting):
    parent = services.post_create(author=cast.owner, meeting=meeting, body="Late", spoiler_page=200)
    with pytest.raises(NotAllowed, match="show it first"):
        services.post_create(author=cast.member, meeting=meeting, body="?", parent=parent)
    services.post_reveal(user=cast.member, post=parent)
    reply = services.post_create(author=cast.member, meeting=meeting, body="Wow", parent=parent)
    assert reply.spoiler_page == 200


def test_only_members_post(cast, meeting):
    for user in (cast.outsider, cast.requester):
        with pytest.raises(NotAllowed):
            services.post_create(author=user, meeting=meeting, body="Hello")
    assert not Post.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, None, 12])
def test_bad_bodies_are_refused(cast, meeting, body):
    with pytest.raises(DomainError):
        services.post_create(author=cast.owner, meeting=meeting, body=body)
    assert not Post.objects.exists()


def test_markdown_subset_is_rendered_and_everything_else_is_escaped():
    html = render_post_body(
        "*soft* **bold**\n\n> quoted\n\n- one\n- two\n\n[ok](https://example.org) [bad](javascript:alert(1))"
        " <script>alert(1)</script> <img src=x onerror=alert(1)>"
    )
    assert "<em>soft</em>" in html and "<strong>bold</strong>" in html
    assert "<blockquote>" in html and "<li>one</li>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener noreferrer ugc"' in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "")
    assert "<script" not in html and "<img" not in html


def test_mentions_are_found_once_each():
    assert mentioned_usernames("hi @Ada and @bob. @ada again, mail me@example.org") == ["ada", "bob"]


def test_edit_marks_edited_and_checks_version(cast, meeting):
    post = services.post_create(author=cast.owner, meeting=meeting, body="First")
    edited = services.post_edit(actor=cast.owner, post=post, body="*Second*", expected_version=1)
    assert edited.edited_at is not None and "<em>Second</em>" in edited.body_html
    with pytest.raises(services.StalePost):
        services.post_edit(actor=cast.owner, post=post, body="Third", expected_version=1)
    with pytest.raises(NotAllowed):
        services.post_edit(actor=cast.moderator, post=post, body="Not mine")


def test_delete_keeps_a_post_with_replies_as_deleted_and_drops_one_without(cast, meeting):
    lonely = services.post_create(author=cast.member, meeting=meeting, body="Lonely", spoiler_page=0)
    assert services.post_delete(actor=cast.member, post=lonely) is None
    assert not Post.objects.filter(pk=lonely.pk).exists()
    parent = services.post_create(author=cast.member, meeting=meeting, body="Secret words", spoiler_page=0)
    reply = services.post_create(author=cast.owner, meeting=meeting, body="Re", parent=parent)
    kept = services.post_delete(actor=cast.member, post=parent)
    assert kept.status == PostStatus.DELETED and kept.body == "" and kept.body_html == ""
    assert seen_by(cast.owner, kept) == gate.Seen.DELETED
    services.post_delete(actor=cast.owner, post=reply)
    parent.refresh_from_db()
    assert parent.reply_count == 0


def test_moderators_hide_with_a_reason_and_reports_close(cast, meeting):
    post = services.post_create(author=cast.member, meeting=meeting, body="Rude", spoiler_page=0)
    report = services.post_report(reporter=cast.owner, post=post, reason="Rude")
    assert services.post_report(reporter=cast.owner, post=post, reason="Again") == report  # once while open
    with pytest.raises(NotAllowed):
        services.post_moderate(actor=cast.member, post=post, action="hide", reason="x")
    with pytest.raises(DomainError, match="reason"):
        services.post_moderate(actor=cast.moderator, post=post, action="hide", reason=" ")
    services.post_moderate(actor=cast.moderator, post=post, action="hide", reason="Be kind")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTIONED
    assert seen_by(cast.owner, post) == gate.Seen.TEXT  # the owner moderates
    other = add_member(cast.club).user
    assert seen_by(other, post) == gate.Seen.HIDDEN
    assert seen_by(cast.member, post) == gate.Seen.TEXT  # its author
    note = Notification.objects.get(recipient=cast.member, kind=NotificationKind.POST_MODERATED)
    assert "Be kind" in note.message
    services.post_moderate(actor=cast.owner, post=post, action="restore")
    assert seen_by(other, post) == gate.Seen.TEXT


def test_reports_need_a_reason_and_not_ones_own_post(cast, meeting):
    post = services.post_create(author=cast.member, meeting=meeting, body="Hm", spoiler_page=0)
    with pytest.raises(DomainError):
        services.post_report(reporter=cast.owner, post=post, reason="")
    with pytest.raises(DomainError):
        services.post_report(reporter=cast.member, post=post, reason="me")
    with pytest.raises(NotAllowed):
        services.post_report(reporter=cast.outsider, post=post, reason="spam")
    report = services.post_report(reporter=cast.owner, post=post, reason="spam")
    services.report_dismiss(actor=cast.moderator, report=report)
    with pytest.raises(Conflict):
        services.report_dismiss(actor=cast.moderator, report=report)
    assert PostReport.objects.get().status == ReportStatus.DISMISSED


def test_reactions_once_per_kind_and_only_on_read_posts(cast, meeting):
    post = services.post_create(author=cast.owner, meeting=meeting, body="Late", spoiler_page=200)
    with pytest.raises(NotAllowed):
        services.reaction_add(user=cast.member, post=post, kind="like")
    set_page(meeting, cast.moderator, 220)
    assert services.reaction_add(user=cast.moderator, post=post, kind="like") is True
    assert services.reaction_add(user=cast.moderator, post=post, kind="like") is False
    assert services.reaction_add(user=cast.moderator, post=post, kind="love") is True
    with pytest.raises(DomainError):
        services.reaction_add(user=cast.moderator, post=post, kind="angry")
    assert PostReaction.objects.count() == 2
    assert services.reaction_remove(user=cast.moderator, post=post, kind="like") is True


def test_posting_is_rate_limited(cast, meeting):
    for number in range(services.POSTS_PER_MINUTE):
        services.post_create(author=cast.owner, meeting=meeting, body=f"Post {number}")
    with pytest.raises(services.RateLimited) as error:
        services.post_create(author=cast.owner, meeting=meeting, body="One too many")
    assert error.value.status_code == 429
    assert Post.objects.count() == services.POSTS_PER_MINUTE


def test_blocked_members_posts_are_collapsed_and_they_cannot_reply_or_mention(cast, meeting):
    Block.objects.create(blocker=cast.member, blocked=cast.owner)
    post = services.post_create(author=cast.owner, meeting=meeting, body="Hi", spoiler_page=0)
    assert seen_by(cast.member, post) == gate.Seen.BLOCKED
    mine = services.post_create(author=cast.member, meeting=meeting, body="Mine", spoiler_page=0)
    with pytest.raises(NotAllowed):
        services.post_create(author=cast.owner, meeting=meeting, body="Re", parent=mine)
    with pytest.raises(NotAllowed):
        services.post_create(author=cast.owner, meeting=meeting, body=f"@{cast.member.username} hey")


def test_a_mention_carries_the_text_only_to_a_reader_who_may_read_it(
    cast, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(
            author=cast.owner,
            meeting=meeting,
            body=f"@{cast.member.username} the butler did it",
            spoiler_page=200,
        )
    note = Notification.objects.get(recipient=cast.member, kind=NotificationKind.POST_MENTION)
    assert "butler" not in note.message and "page 200" in note.message and "page 100" in note.message
    set_page(meeting, cast.member, 250)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(
            author=cast.owner, meeting=meeting, body=f"@{cast.member.username} the gardener too"
        )
    note = Notification.objects.filter(recipient=cast.member, kind=NotificationKind.POST_MENTION).first()
    assert "gardener" in note.message


def test_other_members_get_one_digest_a_day_per_meeting_for_posts_they_may_read(
    cast, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=cast.owner, meeting=meeting, body="Above you", spoiler_page=200)
    assert not Notification.objects.filter(
        recipient=cast.member, kind=NotificationKind.DISCUSSION_DIGEST
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=cast.owner, meeting=meeting, body="Early", spoiler_page=10)
        services.post_create(author=cast.owner, meeting=meeting, body="Early too", spoiler_page=10)
    digests = Notification.objects.filter(recipient=cast.member, kind=NotificationKind.DISCUSSION_DIGEST)
    assert digests.count() == 1
    assert "Early" not in digests.get().message
    assert not Notification.objects.filter(
        recipient=cast.owner, kind=NotificationKind.DISCUSSION_DIGEST
    ).exists()
    assert not Notification.objects.filter(recipient=cast.outsider).exists()


def test_discussion_page_gates_every_row(cast, meeting):
    top = services.post_create(author=cast.owner, meeting=meeting, body="Top secret", spoiler_page=200)
    services.post_reveal(user=cast.member, post=top)
    services.post_create(author=cast.member, meeting=meeting, body="Re", parent=top)
    services.post_create(author=cast.owner, meeting=meeting, body="Hidden from member", spoiler_page=150)
    _page, posts = discussion_page(meeting, reader_for(cast.member, meeting))
    by_body = {post.body: post for post in posts}
    assert by_body["Top secret"].text_html and by_body["Top secret"].reply_list[0].text_html
    assert by_body["Hidden from member"].text_html == ""
    assert by_body["Hidden from member"].placeholder == "About page 150 — you are on page 100"
    _page, outsider_posts = discussion_page(meeting, reader_for(cast.outsider, meeting))
    assert outsider_posts == []


def test_a_former_members_posts_stay(cast, meeting):
    user = UserFactory()
    add_member(cast.club, user)
    post = services.post_create(author=user, meeting=meeting, body="Bye", spoiler_page=0)
    user.delete()
    post.refresh_from_db()
    assert post.author_id is None
