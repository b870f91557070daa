"""The meeting page on a phone: my answer and my progress first, then the race, then the bets; race
labels that fit at 320 px; a logged-in header of one row. Also the note's screenshots at 360 px.

BOOKY_MEETING_SCREENSHOTS=after (or before) also copies the 360 px shots, light and dark, to
docs/screenshots/meeting-360-{light,dark}-{after,before}.png.
"""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bets.services import account_open, bet_place
from meetings import services
from meetings.models import Rsvp
from tests.browser.conftest import SCREENSHOTS, _session_cookie
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.browser

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LONG_NAME = "Maria-Fernanda Albuquerque de Vasconcelos Teixeira"
# From the top of the page to the page box: skip link, logo, menu, bell, account menu, breadcrumb,
# the book's link, the calendar link, the three answers. A few more leave room, not a detour.
MAX_TAB_STOPS_TO_PROGRESS = 14


def _meeting_with_a_race(**meeting_fields):
    """Ana's club meets in five days; five readers are going, one with a very long name, and two bet."""
    club = ClubFactory(name="Night Owls Reading Circle", slug="night-owls")
    ana = UserFactory(username="ana", display_name="Ana Lima", timezone="Europe/Lisbon")
    book = BookFactory(title="The Left Hand of Darkness", authors=["Ursula K. Le Guin"], page_count=320)
    meeting = MeetingFactory(
        club=club,
        book=book,
        starts_at=timezone.now() + timedelta(days=5, hours=2),
        place="Café Livro, Rua Nova 12",
        **meeting_fields,
    )
    readers = [ana]
    for name in ("Bruno Costa", LONG_NAME, "Carla Dias", "Duarte Reis"):
        readers.append(UserFactory(display_name=name))
    for reader, page in zip(readers, (120, 250, 300, 210, 45), strict=True):
        add_member(club, reader)
        account_open(user=reader)
        services.attendance_rsvp(user=reader, meeting=meeting, rsvp=Rsvp.GOING)
        services.attendance_progress(user=reader, meeting=meeting, current_page=page)
    bet_place(bettor=readers[1], meeting=meeting, horse=readers[2], amount=20)
    bet_place(bettor=readers[3], meeting=meeting, horse=readers[3], amount=10)
    return meeting, ana


def _open(browser, live_server, user, *, width: int, color_scheme: str = "light", contexts: list):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, base_url=live_server.url, color_scheme=color_scheme
    )
    contexts.append(context)
    context.add_cookies([_session_cookie(user, live_server.url)])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def contexts():
    opened = []
    yield opened
    for context in opened:
        # Let the page's last requests finish first: one still served while the test database is
        # flushed finds its tables locked (SQLite).
        for page in context.pages:
            page.wait_for_load_state("networkidle")
        context.close()


def test_screenshots_of_the_meeting_page_at_360_px_light_and_dark(browser, live_server, contexts):
    meeting, ana = _meeting_with_a_race(timezone="America/Toronto")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = os.environ.get("BOOKY_MEETING_SCREENSHOTS", "")
    for scheme in ("light", "dark"):
        page = _open(browser, live_server, ana, width=360, color_scheme=scheme, contexts=contexts)
        page.goto(meeting.get_absolute_url())
        expect(page.get_by_role("heading", name="Are you coming?")).to_be_visible()
        target = SCREENSHOTS / f"meeting-360-{scheme}.png"
        page.screenshot(path=str(target), full_page=True, caret="initial", animations="disabled")
        if suffix:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, DOCS_SCREENSHOTS / f"meeting-360-{scheme}-{suffix}.png")


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "element => { const r = element.getBoundingClientRect(); "
        "return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right, height: r.height}; }"
    )


def test_on_a_phone_my_answer_and_my_progress_come_before_the_race_and_the_bets(
    browser, live_server, contexts
):
    meeting, ana = _meeting_with_a_race()
    page = _open(browser, live_server, ana, width=360, contexts=contexts)
    page.goto(meeting.get_absolute_url())

    in_document_order = page.evaluate(
        """() => ['#rsvp', '#progress', '#race', '#bets'].map(selector => document.querySelector(selector))
                  .every((element, index, all) => index === 0 ||
                         (all[index - 1].compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING))"""
    )
    assert in_document_order, "RSVP, progress, race, bets are not in that order in the page"
    rsvp, progress, race, bets = (_box(page, s) for s in ("#rsvp", "#progress", "#race", "#bets"))
    assert rsvp["top"] < progress["top"] < race["top"] < bets["top"]
    assert rsvp["top"] < 800, f"the RSVP box starts {rsvp['top']:.0f} px down, below the first screen"

    # From the top of the page, few Tab presses reach the page box.
    page_box = page.get_by_label("Page I am on")
    for _press in range(MAX_TAB_STOPS_TO_PROGRESS):
        page.keyboard.press("Tab")
        if page_box.evaluate("input => input === document.activeElement"):
            break
    else:
        pytest.fail(f"the page box is not reached in {MAX_TAB_STOPS_TO_PROGRESS} Tab presses")

    # Logging progress from there works as before.
    page_box.fill("130")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved: page 130 of 320.")).to_be_visible()


def test_at_1280_px_my_boxes_stand_on_the_right_beside_the_race(browser, live_server, contexts):
    meeting, ana = _meeting_with_a_race()
    page = _open(browser, live_server, ana, width=1280, contexts=contexts)
    page.goto(meeting.get_absolute_url())
    rsvp, race, facts = _box(page, "#rsvp"), _box(page, "#race"), _box(page, ".meeting-facts")
    assert rsvp["left"] > race["right"], "the boxes are not in a column right of the race"
    assert abs(rsvp["top"] - facts["top"]) < 40 and rsvp["top"] < race["top"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.mark.parametrize("width", [320, 360])
def test_race_labels_with_long_names_fit_a_narrow_phone(browser, live_server, contexts, width):
    meeting, ana = _meeting_with_a_race()
    page = _open(browser, live_server, ana, width=width, contexts=contexts)
    page.goto(meeting.get_absolute_url())

    label = page.locator("#race .race-name", has_text=LONG_NAME)
    expect(label).to_contain_text(f"{LONG_NAME} · p. 300")  # the whole name, not cut short
    for box in page.locator("#race .race-name").evaluate_all(
        "labels => labels.map(label => { const r = label.getBoundingClientRect(); return [r.left, r.right]; })"
    ):
        assert box[0] >= 0 and box[1] <= width, f"a race label runs out of the {width} px screen: {box}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def test_the_race_text_grows_with_the_readers_font_size(browser, live_server, contexts):
    meeting, ana = _meeting_with_a_race()
    page = _open(browser, live_server, ana, width=320, contexts=contexts)
    page.goto(meeting.get_absolute_url())
    sizes = "() => ['.race-name', '.race-axis', '.race-initial'].map(s => parseFloat(getComputedStyle(document.querySelector('#race ' + s)).fontSize))"
    normal = page.evaluate(sizes)
    # As a reader's larger default font does (through the CSSOM: the CSP refuses inline <style>).
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    large = page.evaluate(sizes)
    assert large == [size * 2 for size in normal], (normal, large)
    # Twice as large, the long name wraps onto more lines and still fits the screen.
    for left, right in page.locator("#race .race-name").evaluate_all(
        "labels => labels.map(label => { const r = label.getBoundingClientRect(); return [r.left, r.right]; })"
    ):
        assert left >= 0 and right <= 320, (left, right)


def test_the_logged_in_header_is_one_row_on_a_phone_and_its_menu_opens_without_javascript(
    browser, live_server, contexts
):
    ana = UserFactory(username="ana", display_name="Ana Lima")
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, base_url=live_server.url, java_script_enabled=False
    )
    contexts.append(context)
    context.add_cookies([_session_cookie(ana, live_server.url)])
    page = context.new_page()
    page.goto("/meetings/mine/")

    nav = page.get_by_role("navigation", name="Main")
    logo, menu, account = (
        _box(page, ".site-nav .brand"),
        _box(page, ".site-menu summary"),
        _box(page, ".account-menu summary"),
    )
    centre = [box["top"] + box["height"] / 2 for box in (logo, menu, account)]
    assert max(centre) - min(centre) < 8, f"the header is not one row: {logo}, {menu}, {account}"
    one_row_height = _box(page, "body > header")["height"]
    expect(nav.get_by_role("link", name="Clubs")).to_be_hidden()

    nav.get_by_text("Menu").click()
    expect(nav.get_by_role("link", name="Clubs")).to_be_visible()
    nav.get_by_role("link", name="My meetings").click()
    expect(page).to_have_url(f"{live_server.url}/meetings/mine/")

    page.set_viewport_size({"width": 1280, "height": 800})
    # As tall as the wide header, whose links all stand in one row.
    assert one_row_height <= _box(page, "body > header")["height"]
    expect(page.locator(".site-menu")).to_be_hidden()
    expect(nav.locator(".nav-wide").get_by_role("link", name="Clubs")).to_be_visible()


def test_the_breadcrumb_wraps_inside_a_narrow_screen(browser, live_server, contexts):
    meeting, ana = _meeting_with_a_race()
    page = _open(browser, live_server, ana, width=320, contexts=contexts)
    page.goto(meeting.get_absolute_url())
    for right in page.locator("nav[aria-label=breadcrumb] li").evaluate_all(
        "items => items.map(item => item.getBoundingClientRect().right)"
    ):
        assert right <= 320
