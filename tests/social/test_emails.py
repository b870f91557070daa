"""Notification emails: sent by a task after commit (never inside the request, never for a rolled-back
action), plain text with an HTML alternative, each with a one-click unsubscribe link."""

import pytest
from django.core import mail
from django.db import transaction

from social.models import NotificationKind
from social.notifications import notify
from social.tasks import send_notification_email
from social.unsubscribe import unsubscribe_read
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, kind=NotificationKind.CLUB_INVITATION):
    return notify(
        recipient=user, kind=kind, message="Ada invited you to join Night Readers.", url="/clubs/invitations/"
    )


def test_nothing_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(user)
    assert mail.outbox == []  # inside the request: not yet
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_rolled_back_action_sends_nothing_and_leaves_no_notification(django_capture_on_commit_callbacks):
    user = UserFactory()

    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        _notify(user)
        raise Abort
    assert callbacks == []
    assert mail.outbox == []
    assert user.notifications.count() == 0


def test_the_email_has_text_and_html_with_the_event_link_and_an_unsubscribe_link(
    django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://booky.example.com"
    user = UserFactory(display_name="Grace")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user)
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "[Booky] Ada invited you to join Night Readers."
    assert "Hello Grace" in message.body
    assert "https://booky.example.com/clubs/invitations/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert 'href="https://booky.example.com/clubs/invitations/"' in html
    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith("https://booky.example.com/notifications/unsubscribe/?token=")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in message.body
    assert f'href="{unsubscribe_url}"' in html
    token = unsubscribe_url.split("token=", 1)[1]
    unsubscription = unsubscribe_read(token)
    assert (unsubscription.user, unsubscription.kind) == (user, NotificationKind.CLUB_INVITATION)


def test_html_email_escapes_what_members_typed(django_capture_on_commit_callbacks):
    user = UserFactory(display_name="<b>Grace</b>")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=user, kind=NotificationKind.JOIN_REQUEST, message="<script>x</script> asks to join")
    [(html, _)] = mail.outbox[0].alternatives
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>Grace</b>" not in html


def test_muting_after_the_event_but_before_sending_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(user)
    user.email_muted_kinds = [NotificationKind.CLUB_INVITATION]
    user.save()
    callbacks[0]()
    assert mail.outbox == []


def test_members_without_an_email_address_get_the_notification_only(django_capture_on_commit_callbacks):
    user = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(user)
    assert callbacks == []
    assert user.notifications.count() == 1


def test_the_task_skips_a_notification_deleted_before_it_ran():
    assert send_notification_email.call(123456) is False
    assert mail.outbox == []


# --- where the links point ------------------------------------------------------------------------


def _send_friend_request(client, sender, recipient, **extra):
    client.force_login(sender)
    response = client.post("/friends/send/", {"username": recipient.username}, **extra)
    assert response.status_code == 302


def test_email_links_use_the_host_the_causing_request_came_to(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["club.example.org"]
    sender, recipient = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send_friend_request(client, sender, recipient, HTTP_HOST="club.example.org", secure=True)
    assert mail.outbox == []
    # The worker sends it later, outside any request: the host was captured when it was caused.
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert "https://club.example.org/friends/" in message.body
    assert 'href="https://club.example.org/"' in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://club.example.org/notifications/")
    assert "localhost:8000" not in message.body


def test_site_url_when_set_wins_over_the_requests_host(client, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://booky.example.com"
    settings.ALLOWED_HOSTS = ["club.example.org"]
    sender, recipient = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _send_friend_request(client, sender, recipient, HTTP_HOST="club.example.org")
    [message] = mail.outbox
    assert "https://booky.example.com/friends/" in message.body
    assert "club.example.org" not in message.body


def test_without_a_request_or_site_url_links_use_the_default(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = ""
    settings.SITE_URL_DEFAULT = "https://fallback.example.net"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(UserFactory())
    assert "https://fallback.example.net/clubs/invitations/" in mail.outbox[0].body
