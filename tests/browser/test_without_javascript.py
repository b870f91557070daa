"""With JavaScript off, the plain forms behind the htmx attributes still do the job."""

import re

import pytest
from playwright.sync_api import expect

from clubs.models import Membership, Role
from tests.factories import ClubFactory, UserFactory

pytestmark = pytest.mark.browser


def test_reader_without_javascript_joins_an_open_club_with_the_plain_form(new_page):
    club = ClubFactory(name="Paper Only Club")
    reader = UserFactory()
    page = new_page(user=reader, java_script_enabled=False)
    page.goto(club.get_absolute_url())
    assert page.evaluate("typeof window.htmx") == "undefined", "page scripts ran"

    page.get_by_role("button", name="Join Paper Only Club").click()

    expect(page).to_have_url(re.compile(re.escape(club.get_absolute_url()) + "$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome to Paper Only Club! You are now a member.")
    expect(page.get_by_role("button", name="Leave club")).to_be_visible()
    expect(page.get_by_text("2 members", exact=True)).to_be_visible()
    assert Membership.objects.filter(club=club, user=reader, role=Role.MEMBER).exists()
