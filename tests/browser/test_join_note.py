"""Asking to join with a note for the moderators, who read it on the requests page; names link to profiles."""

import pytest
from playwright.sync_api import expect

from clubs.models import JoinPolicy, JoinRequest
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("java_script_enabled", [True, False], ids=["js", "no-js"])
def test_a_reader_asks_with_a_note_and_the_owner_reads_it(new_page, screenshot, java_script_enabled):
    owner = UserFactory(display_name="Olga Owner")
    club = ClubFactory(
        name="Dune Readers",
        owner=owner,
        join_policy=JoinPolicy.APPROVAL,
        description="Which book made you a reader? Tell us when you ask to join.",
    )
    reader = UserFactory(display_name="Ana Asker")
    page = new_page(user=reader, java_script_enabled=java_script_enabled)
    page.goto(club.get_absolute_url())

    note = page.get_by_label("A note for the moderators")
    note.fill("Dune, at fourteen.")
    if java_script_enabled:
        screenshot(page, "join-request-note")
    page.get_by_role("button", name="Request to join Dune Readers").click()

    expect(page.get_by_text("Request sent.")).to_be_visible()
    assert JoinRequest.objects.get(club=club, user=reader).message == "Dune, at fourteen."

    owner_page = new_page(user=owner, java_script_enabled=java_script_enabled)
    owner_page.goto(f"/clubs/{club.slug}/requests/")
    expect(owner_page.locator("blockquote")).to_have_text("Dune, at fourteen.")
    expect(owner_page.get_by_role("button", name="Approve Ana Asker's request")).to_be_visible()
    if java_script_enabled:
        screenshot(owner_page, "join-requests-with-note")
        assert page.console_errors == [] and owner_page.console_errors == []


def test_a_member_opens_a_club_mate_s_profile_from_the_members_page(new_page, screenshot):
    club = ClubFactory(name="Linked Readers")
    mate = add_member(club, UserFactory(username="bruno", display_name="Bruno Brandão")).user
    reader = add_member(club).user
    page = new_page(user=reader)
    page.goto(f"/clubs/{club.slug}/members/")
    screenshot(page, "members-linked")

    page.get_by_role("link", name="Bruno Brandão").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Bruno Brandão")
    expect(page.get_by_role("button", name="Add friend Bruno Brandão")).to_be_visible()
    assert page.url.endswith(f"/u/{mate.username}/")
