"""The discussion in a real browser: two members at different pages. The one behind sees a placeholder,
reaches the page and the text appears; the one ahead replies in place with a mention, and the bell of
the mentioned member rings."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services as meeting_services
from meetings.discussion.models import Post
from social.models import Notification, NotificationKind
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.browser


def test_two_readers_discuss_without_spoilers(new_page, screenshot):
    club = ClubFactory(name="Harbour Lights Book Club", slug="harbour-lights")
    ana = add_member(club, UserFactory(username="ana", display_name="Ana Lima")).user
    bruno = add_member(club, UserFactory(username="bruno", display_name="Bruno Costa")).user
    book = BookFactory(title="To the Lighthouse", authors=["Virginia Woolf"], page_count=300)
    meeting = MeetingFactory(club=club, book=book, starts_at=timezone.now() + timedelta(days=6))
    meeting_services.attendance_progress(user=ana, meeting=meeting, current_page=50)
    meeting_services.attendance_progress(user=bruno, meeting=meeting, current_page=200)
    url = f"/meetings/{meeting.pk}/"

    # Bruno, ahead, posts about page 150 from the meeting page.
    ahead = new_page(1280, user=bruno)
    ahead.goto(url)
    discussion = ahead.locator("#discussion")
    discussion.get_by_label("Your post").fill("The **dinner party** scene is the heart of the book.")
    discussion.get_by_label("About page").fill("150")
    discussion.get_by_role("button", name="Post", exact=True).click()
    expect(discussion.get_by_text("Posted, about page 150.")).to_be_visible()
    expect(discussion.locator(".post-body strong")).to_have_text("dinner party")
    post = Post.objects.get()

    # Ana, behind, sees where the post is without its text.
    behind = new_page(360, user=ana)
    behind.goto(url)
    her_discussion = behind.locator("#discussion")
    expect(her_discussion.get_by_text("About page 150 — you are on page 50")).to_be_visible()
    assert "dinner party" not in behind.content()
    screenshot(behind, "discussion-placeholder")

    # She reads on: saving her page opens the post in place, without a reload.
    behind.evaluate("window.bookyNoReload = 'still here'")
    behind.get_by_label("Page I am on").fill("160")
    behind.get_by_role("button", name="Save progress").click()
    expect(her_discussion.locator(f"#post-{post.pk} .post-body")).to_contain_text("dinner party")
    assert behind.evaluate("window.bookyNoReload") == "still here"

    # Bruno replies to the thread, mentioning her.
    ahead.reload()
    thread = ahead.locator(f"#thread-{post.pk}")
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your reply").fill("@ana wait until you reach the lighthouse itself.")
    thread.get_by_role("button", name="Reply", exact=True).click()
    expect(ahead.locator(f"#thread-{post.pk} .replies")).to_contain_text("wait until you reach")
    assert Notification.objects.filter(recipient=ana, kind=NotificationKind.POST_MENTION).exists()

    # Ana's bell rings on its next poll; the race poll tells her there is a new post.
    behind.evaluate("window.htmx.trigger(document.body, 'notifications-poll')")
    expect(behind.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    behind.evaluate("window.htmx.trigger(document.body, 'race-refresh')")
    expect(behind.locator(".new-posts")).to_contain_text("1 new post in the discussion — show")
    behind.locator(".new-posts a").click()
    # The reply is about Bruno's page, 200: above hers, so hidden until she chooses to see it.
    replies = behind.locator(f"#thread-{post.pk} .replies")
    expect(replies).to_contain_text("About page 200 — you are on page 160")
    assert "wait until you reach" not in behind.content()
    replies.get_by_role("button", name="Show anyway").click()
    expect(behind.locator(f"#thread-{post.pk} .replies")).to_contain_text("wait until you reach")
    assert behind.console_errors == [] and ahead.console_errors == []
    screenshot(behind, "discussion-reply")
