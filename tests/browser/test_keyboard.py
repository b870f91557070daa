"""Keyboard use of the club page: the skip link comes first, and the Join button shows where focus is."""

import pytest
from playwright.sync_api import expect

from clubs.models import Membership
from tests.factories import ClubFactory, UserFactory

pytestmark = pytest.mark.browser

MAX_TAB_STOPS = 40


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            return {tag: element.tagName, id: element.id, text: element.textContent.trim()};
        }"""
    )


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(new_page):
    club = ClubFactory(name="Keyboard Readers")
    page = new_page(user=UserFactory())
    page.goto(club.get_absolute_url())

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # it is off-screen until focused

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    assert page.console_errors == []


def test_join_button_is_reachable_by_keyboard_and_shows_a_focus_outline(new_page):
    club = ClubFactory(name="Keyboard Readers")
    reader = UserFactory()
    page = new_page(user=reader)
    page.goto(club.get_absolute_url())
    join = page.get_by_role("button", name="Join Keyboard Readers")

    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        if join.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail(f"Join is not reachable in {MAX_TAB_STOPS} Tab presses; focus ended on {focused(page)}")

    outline = join.evaluate(
        """button => {
            const style = getComputedStyle(button);
            return {width: parseFloat(style.outlineWidth), style: style.outlineStyle};
        }"""
    )
    assert outline["width"] > 0 and outline["style"] != "none", f"no visible focus outline: {outline}"

    page.keyboard.press("Enter")
    # The swapped-in button keeps the id, so htmx puts focus back on it: the keyboard user stays put.
    expect(page.get_by_role("button", name="Leave club")).to_be_focused()
    assert Membership.objects.filter(club=club, user=reader).exists()
    assert page.console_errors == []
