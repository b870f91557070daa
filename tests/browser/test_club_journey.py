"""The foundation journey in a real browser: sign up, start a club, find it, a second reader joins."""

import re

import pytest
from playwright.sync_api import expect

from clubs.models import Club, Membership, Role
from social.models import User
from tests.factories import PASSWORD, ClubFactory, UserFactory

pytestmark = pytest.mark.browser

CLUB_NAME = "Night Owls Reading Circle"


def assert_no_console_errors(page, where: str) -> None:
    assert page.console_errors == [], f"console errors on {where}: {page.console_errors}"


def mark_document(page) -> None:
    """Set a marker on window: it survives an htmx swap and disappears on a full page load."""
    page.evaluate("window.bookyNoReload = 'still here'")


def assert_same_document(page) -> None:
    assert page.evaluate("window.bookyNoReload") == "still here", "the page reloaded instead of swapping"


def test_new_reader_starts_a_club_that_a_second_reader_finds_and_joins(new_page, screenshot):
    ClubFactory(name="Tuesday Poetry Society", slug="tuesday-poetry-society", city="Braga")
    ClubFactory(name="Hard Science Fiction", slug="hard-science-fiction", city="Coimbra")
    bruno = UserFactory(username="bruno", display_name="Bruno Costa")

    # The founder arrives on the landing page and signs up.
    founder = new_page()
    founder.goto("/")
    expect(founder.get_by_role("heading", level=1)).to_have_text("Your book club, with a finish line.")
    screenshot(founder, "01-landing")
    assert_no_console_errors(founder, "the landing page")

    # Pico styles links as buttons with role="button", so that is their accessible role.
    founder.get_by_role("navigation", name="Main").get_by_role("button", name="Sign up").click()
    expect(founder).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(founder.get_by_role("heading", name="Create your account")).to_be_visible()
    # booky.js fills the time zone from the browser (Chromium reports UTC in this container, so
    # the check is that the script ran and marked the field, not which zone it chose).
    expect(founder.get_by_label("Time zone")).to_have_attribute("data-filled", "1")
    screenshot(founder, "02-signup")
    founder.get_by_label("Username").fill("maya")
    founder.get_by_label("Email").fill("maya@example.com")
    founder.get_by_label("Password", exact=True).fill("owls-read-at-night-42")
    founder.get_by_label("Confirm password").fill("owls-read-at-night-42")
    founder.get_by_role("main").get_by_role("button", name="Sign up").click()

    expect(founder.get_by_role("heading", name="Welcome, maya", exact=True)).to_be_visible()
    assert User.objects.filter(username="maya", email="maya@example.com").exists()
    expect(founder.get_by_text("You are not in any club yet.")).to_be_visible()
    screenshot(founder, "03-dashboard")
    assert_no_console_errors(founder, "sign-up and the dashboard")

    # The founder starts a club.
    founder.get_by_role("button", name="Start your own").click()
    expect(founder).to_have_url(re.compile(r"/clubs/new/$"))
    expect(founder.get_by_role("heading", name="Start a club")).to_be_visible()
    screenshot(founder, "04-create-form")
    founder.get_by_label("Name").fill(CLUB_NAME)
    founder.get_by_label("Description").fill(
        "Late-night readers of mysteries and ghost stories. We meet monthly."
    )
    founder.get_by_label("City").fill("Porto")
    founder.get_by_label("Country").fill("Portugal")
    founder.get_by_label("Public: anyone can find it").check()
    founder.get_by_label("Open: anyone can join").check()
    founder.get_by_role("button", name="Create club").click()

    expect(founder.get_by_role("heading", level=1)).to_have_text(CLUB_NAME)
    expect(founder.get_by_text(f"{CLUB_NAME} is ready. Invite people to join!")).to_be_visible()
    expect(founder.get_by_text("You own this club.")).to_be_visible()
    club = Club.objects.get(name=CLUB_NAME)
    assert club.memberships.get().user.username == "maya"
    assert founder.url.endswith(club.get_absolute_url())
    screenshot(founder, "05-club-detail-owner")
    assert_no_console_errors(founder, "the create form and the new club page")

    # The club is in the directory, and the live search narrows the list without a page load.
    founder.get_by_role("navigation", name="Main").get_by_role("link", name="Clubs", exact=True).click()
    results = founder.locator("#results")
    expect(results.get_by_role("link", name=CLUB_NAME)).to_be_visible()
    expect(results.get_by_role("link", name="Tuesday Poetry Society")).to_be_visible()
    expect(founder.locator("#results-count")).to_have_text("3 clubs.")
    screenshot(founder, "06-directory")
    mark_document(founder)
    founder.get_by_role("searchbox", name="Search clubs by name, city or country").fill("owls")
    expect(results.get_by_role("link", name="Tuesday Poetry Society")).to_have_count(0)
    expect(results.get_by_role("link", name=CLUB_NAME)).to_be_visible()
    expect(founder.locator("#results-count")).to_have_text("1 club matches “owls”.")
    expect(founder).to_have_url(re.compile(r"/clubs/\?q=owls$"))
    assert_same_document(founder)
    screenshot(founder, "07-directory-search")
    assert_no_console_errors(founder, "the directory and its live search")

    # A second reader logs in in another browser and joins; the membership box swaps in place.
    reader = new_page()
    reader.goto(club.get_absolute_url())
    reader.get_by_role("button", name="Log in to join").click()
    reader.get_by_label("Username or email").fill("bruno")
    reader.get_by_label("Password", exact=True).fill(PASSWORD)
    reader.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(reader).to_have_url(re.compile(re.escape(club.get_absolute_url()) + "$"))
    join = reader.get_by_role("button", name=f"Join {CLUB_NAME}")
    expect(join).to_be_visible()
    screenshot(reader, "08-club-detail-visitor")
    mark_document(reader)
    join.click()
    expect(reader.get_by_role("button", name="Leave club")).to_be_visible()
    expect(reader.get_by_text(f"Welcome to {CLUB_NAME}! You are now a member.")).to_be_visible()
    expect(join).to_have_count(0)
    assert_same_document(reader)
    assert Membership.objects.filter(club=club, user=bruno, role=Role.MEMBER).exists()
    screenshot(reader, "09-club-detail-member")
    assert_no_console_errors(reader, "the club page and the join swap")

    # The founder sees the new member on the members page.
    founder.goto(club.get_absolute_url())
    expect(founder.get_by_text("2 members", exact=True)).to_be_visible()
    founder.get_by_role("link", name="See all 2 members").click()
    expect(founder.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    rows = founder.get_by_role("row")
    expect(rows.filter(has_text="Bruno Costa")).to_contain_text("Member")
    expect(rows.filter(has_text="maya")).to_contain_text("Owner")
    expect(founder.get_by_role("button", name="Make moderator")).to_be_visible()
    screenshot(founder, "10-members")
    assert_no_console_errors(founder, "the members page")
