"""Friends in a real browser: a request sent by username raises the other reader's bell on the next
poll, accepting it from the friends page moves Ana to "Your friends" in place, and both meet on the friends board."""

import pytest
from playwright.sync_api import expect

from bets.services import account_open
from social.relationships import are_friends
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_a_friend_request_rings_the_bell_and_is_accepted_in_place(new_page, screenshot):
    ana = UserFactory(username="ana", display_name="Ana Lima")
    ben = UserFactory(username="ben", display_name="Ben Okafor")
    for person in (ana, ben):
        account_open(user=person)  # sign-up's welcome points put them on the boards

    ben_page = new_page(user=ben)
    ben_page.goto("/")
    bell = ben_page.locator("#notification-bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, none unread")

    ana_page = new_page(user=ana)
    ana_page.goto("/friends/")
    ana_page.locator("#send-form").get_by_label("Username").fill("ben")
    ana_page.locator("#send-form").get_by_role("button", name="Send request").click()
    expect(ana_page.get_by_text("Request sent").first).to_be_visible()
    screenshot(ana_page, "friends-request-sent")

    # Ben's open page learns about it on the next poll, without a reload (the test fires the poll event
    # that booky.js sends every 60 s while the tab is visible).
    ben_page.evaluate("window.bookyNoReload = 'still here'")
    ben_page.evaluate("document.body.dispatchEvent(new Event('notifications-poll'))")
    expect(ben_page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    assert ben_page.evaluate("window.bookyNoReload") == "still here"

    ben_page.goto("/friends/")
    ben_page.evaluate("window.bookyNoReload = 'still here'")
    ben_page.get_by_role("button", name="Accept").first.click()
    expect(ben_page.locator("#content .badge.friend").first).to_have_text("Friends")
    # The whole page agrees at once: Ana has left "Requests for you" and is under "Your friends".
    expect(
        ben_page.locator("#friends-lists").get_by_text("You and Ana Lima are now friends.")
    ).to_be_visible()
    expect(ben_page.locator("#incoming-heading")).to_have_count(0)
    your_friends = ben_page.locator("section[aria-labelledby=friends-heading]")
    expect(your_friends).to_contain_text("Ana Lima")
    expect(your_friends).to_contain_text("(1)")
    assert ben_page.evaluate("window.bookyNoReload") == "still here"
    assert are_friends(ana, ben)
    screenshot(ben_page, "friends-accepted")

    # Both now see each other on the friends leaderboard.
    for page, other in ((ana_page, "Ben Okafor"), (ben_page, "Ana Lima")):
        page.goto("/leaderboards/friends/")
        expect(page.locator("#leaderboard h2")).to_contain_text("You and your friends")
        expect(page.locator("table.leaderboard")).to_contain_text(other)
    screenshot(ana_page, "friends-leaderboard")
    for page in (ana_page, ben_page):
        assert page.console_errors == [], page.console_errors
