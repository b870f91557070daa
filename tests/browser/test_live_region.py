"""What an htmx swap says reaches screen readers. They announce changes to a live region that was on
the page before, not one that arrives with its words; so a swapped-in status line (role="status")
arrives empty and then gets its words (booky.js), and the words are on the page once."""

import pytest
from playwright.sync_api import expect

from meetings import services
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.browser

# Words added to an element that is already a status region: what screen readers announce.
WATCH = """() => {
    window.announced = [];
    new MutationObserver(records => records.forEach(record => {
        if (record.target.matches && record.target.matches("[role=status]") && record.addedNodes.length)
            window.announced.push(record.target.textContent.trim());
    })).observe(document.body, {childList: true, subtree: true});
}"""


def test_the_saved_progress_message_is_spoken_by_a_status_region_that_existed_before_it(new_page):
    club = ClubFactory()
    reader = add_member(club, UserFactory(display_name="Rosa")).user
    meeting = MeetingFactory(club=club, book=BookFactory(page_count=200), target_page=200)
    services.attendance_progress(user=reader, meeting=meeting, current_page=20)
    page = new_page(1280, user=reader)
    page.goto(f"/meetings/{meeting.pk}/")
    page.evaluate(WATCH)

    page.get_by_label("Page I am on").fill("150")
    page.get_by_role("button", name="Save progress").click()

    saved = page.locator("#progress [role=status]")
    expect(saved).to_have_attribute("data-announced", "1")
    expect(saved).not_to_be_empty()
    words = saved.inner_text().strip()
    assert page.evaluate("window.announced") == [words]
    expect(page.get_by_text(words)).to_have_count(1)
    assert page.console_errors == []
