"""Links to copy and actions that ask first, with JavaScript off and on.

Without JavaScript: the invite and calendar links are read-only fields to copy by hand (no Copy button
that would do nothing), and leave, unfriend, remove and reset land on a page that asks first. With it:
the Copy button appears where the Clipboard API exists and says "Copied"; the actions ask in a dialog.
"""

import re

import pytest
from playwright.sync_api import expect

from bets.models import Bet, BetStatus
from bets.services import account_open, bet_place
from clubs.models import Club, Membership
from meetings.models import Attendance, CalendarFeed, Rsvp
from meetings.services import calendar_feed_get_or_create
from social.relationships import are_friends
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.browser


def test_without_javascript_the_invite_link_is_a_field_to_copy_and_reset_asks_on_a_page(new_page, screenshot):
    owner = UserFactory()
    club = ClubFactory(name="Paper Trail Readers", owner=owner)
    old_code = club.invite_code
    page = new_page(user=owner, java_script_enabled=False)
    page.goto(f"/clubs/{club.slug}/invite/")

    field = page.get_by_role("textbox", name="Invite link")
    expect(field).to_have_value(re.compile(re.escape(f"/clubs/join/{old_code}/") + "$"))
    expect(field).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copy")).to_have_count(0)  # hidden: it would do nothing
    expect(page.get_by_text("Select the link and copy it")).to_be_visible()

    page.get_by_role("button", name="Reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset the invite link of Paper Trail Readers?")
    screenshot(page, "confirm-invite-reset")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Invite people")).to_be_visible()
    assert Club.objects.get(pk=club.pk).invite_code == old_code

    page.get_by_role("button", name="Reset link").click()
    page.get_by_role("button", name="Reset the link").click()
    expect(page.get_by_role("status").filter(has_text="Done:")).to_contain_text(
        "Done: a new invite link is ready."
    )
    assert Club.objects.get(pk=club.pk).invite_code != old_code


def test_with_javascript_the_link_selects_itself_and_copy_says_copied(new_page):
    owner = UserFactory()
    club = ClubFactory(owner=owner)
    page = new_page(user=owner)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/clubs/{club.slug}/invite/")

    field = page.get_by_role("textbox", name="Invite link")
    field.focus()
    selected = field.evaluate("input => input.value.slice(input.selectionStart, input.selectionEnd)")
    assert selected == field.input_value()

    copy = page.get_by_role("button", name="Copy the invite link")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    assert page.console_errors == []


def test_the_calendar_link_copies_with_javascript_and_not_without(new_page):
    reader = UserFactory()
    calendar_feed_get_or_create(user=reader)
    plain = new_page(user=reader, java_script_enabled=False)
    plain.goto("/settings/calendar/")
    expect(plain.get_by_role("textbox", name="Your private calendar link")).to_have_attribute("readonly", "")
    expect(plain.get_by_role("button", name="Copy")).to_have_count(0)

    plain.get_by_role("button", name="Reset the link").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Reset your calendar link?")
    token = CalendarFeed.objects.get(user=reader).token
    plain.get_by_role("button", name="Reset the link").click()
    expect(plain.get_by_role("status").filter(has_text="Done:")).to_contain_text(
        "Done: your calendar link is new."
    )
    assert CalendarFeed.objects.get(user=reader).token != token

    scripted = new_page(user=reader)
    scripted.context.grant_permissions(["clipboard-read", "clipboard-write"])
    scripted.goto("/settings/calendar/")
    scripted.get_by_role("button", name="Copy the calendar link").click()
    expect(scripted.get_by_role("button", name="Copied")).to_be_visible()


def test_without_javascript_leaving_asks_on_a_page_first(new_page, screenshot):
    club = ClubFactory(name="Quiet Quills")
    reader = add_member(club).user
    page = new_page(user=reader, java_script_enabled=False)
    page.goto(club.get_absolute_url())

    page.get_by_role("button", name="Leave club").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leave Quiet Quills?")
    screenshot(page, "confirm-leave")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("You are a member of this club.")).to_be_visible()
    assert Membership.objects.filter(club=club, user=reader).exists()

    page.get_by_role("button", name="Leave club").click()
    page.get_by_role("button", name="Leave club").click()
    expect(page.get_by_role("status")).to_contain_text("You left Quiet Quills.")
    assert not Membership.objects.filter(club=club, user=reader).exists()


def test_with_javascript_leaving_asks_in_a_dialog_and_stays_on_the_page(new_page):
    club = ClubFactory(name="Quick Quills")
    reader = add_member(club).user
    page = new_page(user=reader)
    page.goto(club.get_absolute_url())
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))

    page.get_by_role("button", name="Leave club").click()

    expect(page.get_by_text("You left Quick Quills.")).to_be_visible()
    assert questions == ["Leave Quick Quills?"]
    assert page.url.endswith(club.get_absolute_url())
    assert not Membership.objects.filter(club=club, user=reader).exists()
    assert page.console_errors == []


def test_without_javascript_unfriending_asks_on_a_page_first(new_page):
    me = UserFactory()
    bruno = UserFactory(username="bruno", display_name="Bruno Brandão")
    befriend(me, bruno)
    page = new_page(user=me, java_script_enabled=False)
    page.goto("/u/bruno/")

    page.get_by_role("button", name="Unfriend Bruno Brandão").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unfriend Bruno Brandão?")
    page.get_by_role("button", name="Unfriend Bruno Brandão").click()

    expect(page.get_by_role("status")).to_contain_text("You and Bruno Brandão are no longer friends.")
    assert not are_friends(me, bruno)


def test_without_javascript_removing_a_member_asks_on_a_page_first(new_page):
    owner = UserFactory()
    club = ClubFactory(owner=owner)
    member = add_member(club, UserFactory(display_name="Rita Removed")).user
    page = new_page(user=owner, java_script_enabled=False)
    page.goto(f"/clubs/{club.slug}/members/")

    page.get_by_role("button", name="Remove Rita Removed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Remove Rita Removed from {club.name}?")
    page.get_by_role("button", name="Remove Rita Removed").click()

    expect(page.get_by_role("status")).to_contain_text("Rita Removed was removed from the club.")
    assert not Membership.objects.filter(club=club, user=member).exists()


@pytest.mark.parametrize("java_script_enabled", [True, False], ids=["js", "no-js"])
def test_withdrawing_a_bet_asks_first(new_page, java_script_enabled):
    club = ClubFactory()
    bettor = add_member(club, UserFactory(display_name="Betty Bettor")).user
    horse = add_member(club, UserFactory(display_name="Harry Horse")).user
    meeting = MeetingFactory(club=club)
    for person in (bettor, horse):
        account_open(user=person)
        Attendance.objects.create(meeting=meeting, user=person, rsvp=Rsvp.GOING)
    bet_place(bettor=bettor, meeting=meeting, horse=horse, amount=30)
    page = new_page(user=bettor, java_script_enabled=java_script_enabled)
    page.goto(meeting.get_absolute_url())
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))

    page.get_by_role("button", name="Withdraw my bet on Harry Horse").click()
    if not java_script_enabled:
        expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your bet?")
        page.get_by_role("button", name="Withdraw my bet").click()

    expect(page.get_by_text("Bet withdrawn: 30 points are back in your balance.")).to_be_visible()
    assert questions == (["Withdraw your bet of 30 points on Harry Horse?"] if java_script_enabled else [])
    assert not Bet.objects.filter(status=BetStatus.OPEN).exists()
