"""The README's picture: a club page with members, as its owner sees it at 1280px.

Every browser run saves it to test-artifacts/readme-club.png; with BOOKY_UPDATE_README_SCREENSHOT=1
it also replaces docs/screenshot.png (commit that file when the club page changes look).
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.browser

README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
MEMBER_NAMES = ["Bruno Costa", "Chiara Rossi", "Dev Patel", "Elena Petrova", "Farid Haddad"]


def test_club_page_for_the_readme_shows_the_members_and_the_owner_tools(new_page):
    owner = UserFactory(username="ada", display_name="Ada Lovelace")
    club = ClubFactory(
        name="Porto Night Owls",
        slug="porto-night-owls",
        description=(
            "Late-night readers of mysteries, ghost stories and the odd classic. We meet on the first "
            "Thursday of the month in a café by the river, and race each other to the last page."
        ),
        city="Porto",
        country="Portugal",
        owner=owner,
    )
    for index, name in enumerate(MEMBER_NAMES):
        add_member(club, UserFactory(display_name=name), role="moderator" if index == 0 else "member")

    page = new_page(1280, user=owner)
    page.goto(club.get_absolute_url())
    members = page.get_by_role("complementary", name="Members")
    for name in ["Ada Lovelace", *MEMBER_NAMES]:
        expect(members.get_by_text(name)).to_be_visible()
    expect(page.get_by_role("navigation", name="Manage Porto Night Owls")).to_be_visible()
    assert page.console_errors == []

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "readme-club.png"
    page.screenshot(path=str(target), full_page=True, caret="initial", animations="disabled")
    assert target.stat().st_size < 300_000, "the README screenshot should stay small"
    if os.environ.get("BOOKY_UPDATE_README_SCREENSHOT") == "1":
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(target, README_SCREENSHOT)
