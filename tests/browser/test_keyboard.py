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


# The colour of a focus ring and of what lies behind it, as the browser draws them (WCAG 1.4.11: 3:1).
FOCUS_COLOURS = """element => {
    const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
    let behind = element.parentElement, background = [0, 0, 0, 0];
    while (behind) {
        background = parse(getComputedStyle(behind).backgroundColor);
        if (background.length === 3 || background[3] > 0) break;
        behind = behind.parentElement;
    }
    const style = getComputedStyle(element);
    return {outline: parse(style.outlineColor), width: parseFloat(style.outlineWidth), style: style.outlineStyle,
            background: behind ? background : [255, 255, 255]};
}"""


def _luminance(rgb) -> float:
    channels = [value / 255 for value in rgb[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second) -> float:
    """WCAG contrast of colour `first` drawn over `second` (a see-through `first` is blended in)."""
    if len(first) == 4:
        alpha = first[3]
        first = [alpha * a + (1 - alpha) * b for a, b in zip(first[:3], second[:3], strict=True)]
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_3_to_1_on_links_buttons_fields_and_the_account_menu(
    new_page, color_scheme
):
    reader = UserFactory(display_name="Bruno Ferreira")
    club = ClubFactory(name="Keyboard Readers")
    page = new_page(user=reader, color_scheme=color_scheme)
    page.goto(club.get_absolute_url())
    targets = {
        "link": page.get_by_role("navigation", name="Main").get_by_role("link", name="Clubs"),
        "button": page.get_by_role("button", name="Join Keyboard Readers"),
        "account menu": page.locator(".account-menu summary"),
    }
    for name, target in targets.items():
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
        ring = target.evaluate(FOCUS_COLOURS)
        assert ring["style"] != "none" and ring["width"] >= 2, f"{name}: no visible focus ring: {ring}"
        assert contrast(ring["outline"], ring["background"]) >= 3, f"{name} in {color_scheme}: {ring}"

    page.goto("/books/")
    search = page.get_by_role("searchbox").first
    search.focus()
    ring = search.evaluate(FOCUS_COLOURS)
    assert ring["style"] != "none" and contrast(ring["outline"], ring["background"]) >= 3, ring


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_focused_skip_link_has_its_own_background_and_readable_text(new_page, color_scheme):
    page = new_page(user=UserFactory(), color_scheme=color_scheme)
    page.goto("/")
    page.keyboard.press("Tab")
    colours = page.get_by_role("link", name="Skip to content").evaluate(
        """link => { const s = getComputedStyle(link);
            const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
            return {text: parse(s.color), background: parse(s.backgroundColor)}; }"""
    )
    background = colours["background"]
    assert len(background) == 3 or background[3] == 1, f"see-through skip link: {colours}"
    assert contrast(colours["text"], background) >= 4.5, colours


def test_the_account_menu_closes_on_escape_and_when_focus_leaves_it(new_page):
    page = new_page(user=UserFactory(display_name="Bruno Ferreira"))
    page.goto("/")
    summary = page.locator(".account-menu summary")
    menu = page.locator(".account-menu")
    summary.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.get_by_role("link", name="My clubs").focus()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        if not menu.evaluate("menu => menu.contains(document.activeElement)"):
            break
    expect(menu).not_to_have_attribute("open", "")
    assert page.console_errors == []
