"""Resetting the calendar link asks first: without JavaScript on a page, with it in a dialog."""

import pytest

from meetings.models import CalendarFeed
from meetings.services import calendar_feed_get_or_create
from tests.confirm_pages import confirmation, form_with_button

pytestmark = pytest.mark.django_db


def test_resetting_without_javascript_asks_first_then_resets(client, user):
    token = calendar_feed_get_or_create(user=user).token
    client.force_login(user)
    settings_page = client.get("/settings/calendar/").text
    form = form_with_button(settings_page, "Reset the link")
    assert form.method == "get" and form.action == "/settings/calendar/reset/"
    assert 'data-hx-post="/settings/calendar/"' in form.attributes and "data-hx-confirm=" in form.attributes

    asked = client.get(form.action, form.fields)

    assert asked.status_code == 200
    page = confirmation(asked)
    assert page.question == "Reset your calendar link?"
    assert page.action == "/settings/calendar/" and page.fields == {"action": "reset"}
    assert CalendarFeed.objects.get(user=user).token == token
    assert client.get(page.cancel_url).status_code == 200
    assert CalendarFeed.objects.get(user=user).token == token

    done = client.post(page.action, page.fields, follow=True)

    assert CalendarFeed.objects.get(user=user).token != token
    assert "Done: your calendar link is new." in done.text


def test_without_a_link_there_is_nothing_to_reset(client, user):
    client.force_login(user)
    response = client.get("/settings/calendar/reset/")
    assert response.status_code == 302 and response["Location"] == "/settings/calendar/"
    assert not CalendarFeed.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/settings/calendar/reset/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_the_link_is_a_selectable_read_only_field_and_the_copy_button_waits_for_javascript(client, user):
    calendar_feed_get_or_create(user=user)
    client.force_login(user)
    html = client.get("/settings/calendar/").text
    assert '<label for="calendar-feed-url">Your private calendar link</label>' in html
    field = html.split('id="calendar-feed-url"')[1].split(">")[0]
    assert "readonly" in field and "data-select-on-focus" in field
    button = html.split('data-copy="#calendar-feed-url"')[1].split(">")[0]
    assert "hidden" in button
