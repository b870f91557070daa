"""What an htmx swap says reaches screen readers: it is copied into the page's live region
(#live-status, aria-live), which was on the page before the swap (a region added with the new
content is not announced), and emptied again once said."""

import pytest
from playwright.sync_api import expect

from meetings import services
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.browser


def test_the_saved_progress_message_is_announced_through_the_pages_live_region(new_page):
    club = ClubFactory()
    reader = add_member(club, UserFactory(display_name="Rosa")).user
    meeting = MeetingFactory(club=club, book=BookFactory(page_count=200), target_page=200)
    services.attendance_progress(user=reader, meeting=meeting, current_page=20)
    page = new_page(1280, user=reader)
    page.goto(f"/meetings/{meeting.pk}/")
    live_region = page.locator("#live-status")
    expect(live_region).to_have_attribute("aria-live", "polite")
    expect(live_region).to_have_text("")

    page.get_by_label("Page I am on").fill("150")
    page.get_by_role("button", name="Save progress").click()

    saved = page.locator("#progress [role=status]")
    expect(saved).not_to_be_empty()
    expect(live_region).to_have_text(saved.inner_text().strip())
    expect(live_region).to_have_text("", timeout=5000)
    expect(saved).not_to_be_empty()
    assert page.console_errors == []
