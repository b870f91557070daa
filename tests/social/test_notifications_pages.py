"""The bell, the notifications list (full page and HTMX fragments), mark one / all read, and the email
preferences page."""

import pytest
from django.utils import timezone

from social.models import Notification, NotificationKind
from social.notifications import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _notify(user, n=1, **kwargs):
    actor = kwargs.pop("actor", None) or UserFactory()
    return [
        notify(
            recipient=user,
            kind=kwargs.get("kind", NotificationKind.FRIEND_REQUEST),
            actor=actor,
            message=f"{actor.name} wants to be your friend ({index}).",
            url=kwargs.get("url", "/friends/"),
        )
        for index in range(n)
    ]


@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_bell_in_the_nav_shows_the_unread_count(client, member):
    _notify(member, 3)
    page = client.get("/clubs/").text
    assert 'id="notification-bell"' in page
    assert 'aria-label="Notifications, 3 unread"' in page
    assert 'data-hx-trigger="notifications-poll from:body, notifications-changed from:body"' in page
    assert "booky/booky.js" in page  # where the poll that fires notifications-poll lives


def test_anonymous_visitors_have_no_bell(client, db):
    assert 'id="notification-bell"' not in client.get("/clubs/").text


def test_the_bell_fragment_answers_alone_with_the_current_count(client, member):
    _notify(member, 2)
    response = client.get("/notifications/bell/", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "2 unread" in response.text
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_bell_asks_anonymous_htmx_polls_to_log_in(client, db):
    response = client.get("/notifications/bell/", headers=HX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_the_list_page_shows_my_notifications_newest_first_and_links_through_them(client, member):
    first, second = _notify(member, 2)
    _notify(UserFactory())  # someone else's
    page = client.get("/notifications/").text
    assert "<html" in page
    assert page.index(second.message) < page.index(first.message)
    # Opening marks read, so it is a POST form (a button that reads like a link), not a GET link.
    assert f'<form method="post" action="/notifications/{first.pk}/open/"' in page
    assert f'href="/notifications/{first.pk}/open/"' not in page
    assert page.count('class="notification unread"') == 2
    assert "Mark all as read" in page


def test_the_list_is_paginated(client, member):
    _notify(member, 25)
    first_page = client.get("/notifications/").text
    assert first_page.count('class="notification unread"') == 20
    assert 'aria-label="Notification pages"' in first_page
    second = client.get("/notifications/?page=2", headers=HX)
    assert "<html" not in second.text
    assert second.text.count('class="notification unread"') == 5


def test_empty_list_says_so(client, member):
    assert "No notifications yet." in client.get("/notifications/").text


def test_the_list_page_requires_login(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_marking_one_read_swaps_the_item_and_tells_the_bell(client, member):
    notification, other = _notify(member, 2)
    response = client.post(f"/notifications/{notification.pk}/read/", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="notification-{notification.pk}"' in response.text
    assert "unread" not in response.text.split(">")[0]
    assert response["HX-Trigger"] == "notifications-changed"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None and other.read_at is None


def test_marking_read_without_javascript_redirects_back_to_the_same_page(client, member):
    [notification] = _notify(member)
    response = client.post(f"/notifications/{notification.pk}/read/", {"page": "2"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=2"


def test_nobody_can_mark_someone_elses_notification(client, member):
    [theirs] = _notify(UserFactory())
    assert client.post(f"/notifications/{theirs.pk}/read/", headers=HX).status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_swaps_the_list(client, member):
    _notify(member, 3)
    response = client.post("/notifications/read-all/", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Marked 3 notifications as read." in response.text
    assert 'class="notification unread"' not in response.text
    assert response["HX-Trigger"] == "notifications-changed"
    assert Notification.objects.filter(recipient=member).unread().count() == 0


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, member):
    [notification] = _notify(member, url="/friends/")
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/friends/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_following_the_open_address_with_get_only_navigates(client, member):
    """A GET (an old bookmark, a prefetching browser, a link checker) changes nothing."""
    [notification] = _notify(member, url="/friends/")
    for method in (client.get, client.head):
        response = method(f"/notifications/{notification.pk}/open/")
        assert response.status_code == 302 and response["Location"] == "/friends/"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_never_redirects_off_site(client, member):
    [notification] = _notify(member, url="https://evil.example/")
    assert client.post(f"/notifications/{notification.pk}/open/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{notification.pk}/open/")["Location"] == "/notifications/"


def test_the_list_page_costs_the_same_with_3_or_30_notifications(client, member, django_assert_num_queries):
    actors = [UserFactory() for _ in range(3)]
    for actor in actors:
        _notify(member, actor=actor)
    with django_assert_num_queries(6) as few:
        client.get("/notifications/")
    for _ in range(27):
        _notify(member)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/notifications/").text
    assert page.count('class="notification unread"') == 20


# --- email preferences --------------------------------------------------------------------------


def test_preferences_page_has_one_checkbox_per_kind_ticked_unless_muted(client, member):
    member.email_muted_kinds = [NotificationKind.MEETING_REMINDER]
    member.save()
    page = client.get("/notifications/settings/").text
    assert page.count('type="checkbox" name="email_kinds"') == len(NotificationKind.values)
    assert 'value="meeting_reminder" id="id_email_kinds_8">' in page  # muted: not ticked
    assert 'value="friend_request" id="id_email_kinds_0" checked>' in page
    assert 'aria-current="page">Notifications</a>' in page


def test_saving_preferences_mutes_the_unticked_kinds(client, member):
    wanted = [kind for kind in NotificationKind.values if kind != NotificationKind.BET_WON]
    response = client.post("/notifications/settings/", {"email_kinds": wanted}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Your email preferences are saved." in response.text
    member.refresh_from_db()
    assert member.email_muted_kinds == [NotificationKind.BET_WON]


def test_unknown_kind_is_refused_with_422_and_changes_nothing(client, member):
    response = client.post("/notifications/settings/", {"email_kinds": ["spam"]}, headers=HX)
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    member.refresh_from_db()
    assert member.email_muted_kinds == []


def test_unticking_everything_mutes_every_kind(client, member):
    client.post("/notifications/settings/", {})
    member.refresh_from_db()
    assert sorted(member.email_muted_kinds) == sorted(NotificationKind.values)


def test_read_notifications_are_not_counted(client, member):
    notification, _ = _notify(member, 2)
    Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    assert "1 unread" in client.get("/notifications/bell/").text
