"""Bets in a real browser: two members bet through the page, the meeting starts, the worker settles
the bets, and the winner sees the payout on "My points"."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bets.models import Account
from bets.services import account_open
from bets.tasks import resolve_due_meetings
from meetings import services
from meetings.models import Meeting, Rsvp
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.browser

UNPROCESSABLE = "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"


def _no_console_errors(page, where: str) -> None:
    assert page.console_errors == [], f"console errors on {where}: {page.console_errors}"


def test_two_members_bet_the_meeting_starts_and_the_winner_is_paid(new_page, screenshot):
    club = ClubFactory(name="Night Owls Reading Circle", slug="night-owls")
    ana = UserFactory(username="ana", display_name="Ana Lima")
    bruno = UserFactory(username="bruno", display_name="Bruno Costa")
    book = BookFactory(title="The Left Hand of Darkness", authors=["Ursula K. Le Guin"], page_count=300)
    meeting = MeetingFactory(club=club, book=book, starts_at=timezone.now() + timedelta(hours=3))
    for reader in (ana, bruno, UserFactory(display_name="Carla Dias")):
        add_member(club, reader)
        account_open(user=reader)
        services.attendance_rsvp(user=reader, meeting=meeting, rsvp=Rsvp.GOING)
    url = f"/meetings/{meeting.pk}/"

    # Ana bets on herself; the section swaps in place.
    page = new_page(1280, user=ana)
    page.goto(url)
    page.evaluate("window.bookyNoReload = 'still here'")
    bets = page.locator("#bets")
    expect(bets.get_by_text("Bets close")).to_be_visible()
    bets.get_by_label("Who finishes the book before the meeting?").select_option(label="Ana Lima")
    bets.get_by_label("Points").fill("30")
    bets.get_by_role("button", name="Place bet").click()
    expect(bets.get_by_text("Bet placed: 30 points on Ana Lima.")).to_be_visible()
    expect(bets.get_by_text("Your balance: 70 points")).to_be_visible()

    # Too much is refused in place with a clear message, and nothing changes.
    bets.get_by_label("Points").fill("500")
    bets.get_by_role("button", name="Change my bet").click()
    expect(bets.get_by_text("You have 100 points to bet; 500 is too many.")).to_be_visible()
    assert Account.objects.get(user=ana).balance == 70
    # The browser logs the refusal's 422 itself; anything else would be a real error.
    assert [error.split(" (on ")[0] for error in page.console_errors] == [UNPROCESSABLE]
    page.console_errors.clear()
    bets.get_by_label("Points").fill("40")
    bets.get_by_role("button", name="Change my bet").click()
    expect(bets.get_by_text("Bet changed: 40 points on Ana Lima.")).to_be_visible()
    assert page.evaluate("window.bookyNoReload") == "still here", "the page reloaded instead of swapping"

    # Bruno bets on himself from his phone.
    other = new_page(360, user=bruno)
    other.goto(url)
    other_bets = other.locator("#bets")
    other_bets.get_by_label("Who finishes the book before the meeting?").select_option(label="Bruno Costa")
    other_bets.get_by_label("Points").fill("20")
    other_bets.get_by_role("button", name="Place bet").click()
    expect(other_bets.get_by_text("Bet placed: 20 points on Bruno Costa.")).to_be_visible()
    screenshot(other, "bets-meeting-open")

    # Ana's odds board catches up on the next race poll, without a reload.
    page.locator("[data-race-poll]").evaluate("element => element.setAttribute('data-race-poll', '1')")
    expect(bets.get_by_text("Pool: 60 points.")).to_be_visible(timeout=5_000)
    bruno_row = bets.locator('tr[data-horse="bruno"]')
    expect(bruno_row).to_contain_text("×3")
    assert page.evaluate("window.bookyNoReload") == "still here"
    _no_console_errors(page, "the meeting page")
    _no_console_errors(other, "the meeting page at 360 px")

    # Ana finishes the book; then the meeting starts and the worker's sweep settles the bets.
    services.attendance_progress(user=ana, meeting=meeting, current_page=300)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())
    assert resolve_due_meetings() == 1

    page.goto(url)
    expect(bets.get_by_role("heading", name="Results")).to_be_visible()
    expect(bets.locator("#my-bet-now")).to_have_text("Your bet on Ana Lima: won 60 (stake 40, +20).")
    expect(bets.locator("table.all-bets tr.me")).to_contain_text("won 60 (stake 40, +20)")
    bets.scroll_into_view_if_needed()
    screenshot(page, "bets-meeting-results")

    # "My points": the payout and the finishing award, with the balance they add up to.
    page.locator("details.account-menu summary").click()  # Points sits in the account menu
    page.get_by_role("link", name="Points", exact=True).click()
    expect(page.get_by_role("heading", name="My points", level=1)).to_be_visible()
    expect(page.locator("#balance")).to_contain_text("145")  # 100 - 40 + 60 + 25
    ledger = page.locator("#ledger")
    expect(ledger.locator("tr", has_text="Bet won")).to_contain_text("won 60 (stake 40, +20)")
    expect(ledger.locator("tr", has_text="Bet won")).to_contain_text("+60")
    expect(ledger.locator("tr", has_text="Finished the book in time")).to_contain_text("+25")
    expect(page.locator(".balance-chart svg")).to_be_visible()
    screenshot(page, "bets-my-points")
    _no_console_errors(page, "My points")

    # The leaderboards: Ana on top; switching tabs swaps the board in place.
    page.get_by_role("link", name="Leaderboards", exact=True).click()
    expect(page.locator("table.leaderboard tbody tr").first).to_contain_text("Ana Lima")
    page.locator(".board-tabs").get_by_role("link", name="Clubs", exact=True).click()
    expect(page.locator("#leaderboard h2")).to_contain_text("Clubs")
    expect(page).to_have_url(f"{page.url.split('/leaderboards')[0]}/leaderboards/clubs/")
    page.locator(".board-tabs").get_by_role("link", name="Night Owls Reading Circle").click()
    expect(page.locator("#leaderboard h2")).to_contain_text("Night Owls Reading Circle")
    screenshot(page, "bets-leaderboards")
    page.goto("/leaderboards/")
    screenshot(page, "bets-leaderboard-global")
    _no_console_errors(page, "the leaderboards")
