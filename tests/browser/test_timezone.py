"""The time-zone box in a real browser: typing part of a city lists the matching zones under it, choosing
one fills the box, and saving keeps it; without JavaScript, a typed city is saved as its zone."""

import pytest
from playwright.sync_api import expect

from social.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_typing_a_city_offers_its_zone_and_choosing_it_fills_the_box(new_page):
    ana = UserFactory(username="ana", timezone="Asia/Tokyo")
    page = new_page(user=ana)
    page.goto("/settings/")
    box = page.get_by_label("Time zone")
    expect(box).to_have_value("Asia/Tokyo")  # booky.js only fills an empty or UTC box

    box.fill("lisb")
    choice = page.get_by_role("button", name="Europe/Lisbon")
    expect(choice).to_be_visible()
    choice.click()
    expect(box).to_have_value("Europe/Lisbon")
    expect(box).to_be_focused()
    expect(choice).to_have_count(0)

    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    assert User.objects.get(pk=ana.pk).timezone == "Europe/Lisbon"
    assert page.console_errors == []


def test_without_javascript_a_typed_city_is_saved_and_a_typo_gets_the_closest_zone(new_page):
    ben = UserFactory(username="ben")
    page = new_page(user=ben, java_script_enabled=False)
    page.goto("/settings/")
    box = page.get_by_label("Time zone")
    box.fill("Lisbn")
    page.get_by_role("button", name="Save profile").click()
    expect(
        page.get_by_text("“Lisbn” is not a time zone we know. Did you mean Europe/Lisbon?")
    ).to_be_visible()

    page.get_by_label("Time zone").fill("lisbon")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    assert User.objects.get(pk=ben.pk).timezone == "Europe/Lisbon"
