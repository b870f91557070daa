"""Invite links in the browser: the owner copies the link, an outsider joins, a reset kills the old link."""

import re

import pytest
from playwright.sync_api import expect

from clubs.models import Club, JoinPolicy, Membership, Visibility
from tests.factories import ClubFactory, UserFactory

pytestmark = pytest.mark.browser

NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


def assert_only_the_404_was_logged(page) -> None:
    """Chromium logs every 404 document load as a console error; nothing else may show up."""
    assert len(page.console_errors) == 1 and page.console_errors[0].startswith(NOT_FOUND), page.console_errors
    page.console_errors.clear()


def test_outsider_joins_a_private_club_with_the_copied_link_until_the_owner_resets_it(new_page, screenshot):
    owner = UserFactory()
    club = ClubFactory(
        name="Secret Garden Readers",
        visibility=Visibility.PRIVATE,
        join_policy=JoinPolicy.INVITE,
        owner=owner,
    )
    outsider = UserFactory(display_name="Olga Outsider")
    latecomer = UserFactory()

    owner_page = new_page(user=owner)
    owner_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    owner_page.goto(club.get_absolute_url())
    owner_page.get_by_role("link", name="Invite link").click()
    expect(owner_page.get_by_role("heading", name="Invite people")).to_be_visible()
    link_box = owner_page.get_by_label("Invite link")
    old_link = link_box.input_value()
    assert old_link.endswith(f"/clubs/join/{club.invite_code}/")
    owner_page.get_by_role("button", name="Copy").click()
    expect(owner_page.get_by_role("button", name="Copied")).to_be_visible()
    assert owner_page.evaluate("navigator.clipboard.readText()") == old_link
    screenshot(owner_page, "11-invite-link")

    outsider_page = new_page(user=outsider)
    assert outsider_page.goto(club.get_absolute_url()).status == 404  # private: hidden from outsiders
    assert_only_the_404_was_logged(outsider_page)
    outsider_page.goto(old_link)
    expect(outsider_page.get_by_role("heading", level=1)).to_have_text("Secret Garden Readers")
    expect(outsider_page.get_by_text("You're invited to join")).to_be_visible()
    screenshot(outsider_page, "12-invite")
    outsider_page.get_by_role("button", name="Join Secret Garden Readers").click()
    expect(outsider_page).to_have_url(re.compile(re.escape(club.get_absolute_url()) + "$"))
    expect(outsider_page.get_by_role("status")).to_contain_text("Welcome to Secret Garden Readers!")
    expect(outsider_page.get_by_text("You are a member of this club.")).to_be_visible()
    assert Membership.objects.filter(club=club, user=outsider).exists()
    assert outsider_page.console_errors == []

    owner_page.once("dialog", lambda dialog: dialog.accept())
    owner_page.get_by_role("button", name="Reset link").click()
    expect(
        owner_page.get_by_text("Done: a new invite link is ready. The old link no longer works.")
    ).to_be_visible()
    expect(link_box).not_to_have_value(old_link)
    new_link = link_box.input_value()
    assert new_link.endswith(f"/clubs/join/{Club.objects.get(pk=club.pk).invite_code}/")
    assert owner_page.console_errors == []

    latecomer_page = new_page(user=latecomer)
    response = latecomer_page.goto(old_link)
    assert response.status == 404
    expect(latecomer_page.get_by_role("heading", name="This invite link doesn't work")).to_be_visible()
    expect(latecomer_page.get_by_text("invalid or has been replaced by a newer one")).to_be_visible()
    expect(latecomer_page.get_by_role("button", name=re.compile("^Join"))).to_have_count(0)
    screenshot(latecomer_page, "13-invite-invalid")
    assert_only_the_404_was_logged(latecomer_page)

    latecomer_page.goto(new_link)
    expect(latecomer_page.get_by_role("button", name="Join Secret Garden Readers")).to_be_visible()
    assert not Membership.objects.filter(club=club, user=latecomer).exists()
