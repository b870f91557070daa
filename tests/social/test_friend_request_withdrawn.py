"""A friend request taken back before the receiver saw it leaves no trace with them: no bell count,
no entry in their notifications, and no email if the worker had not sent it yet."""

import pytest
from django.core import mail

from social import friends
from social.models import Notification, NotificationKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    return UserFactory(display_name="Sandro Sender"), UserFactory(display_name="Rita Receiver")


def _bell(client, user) -> str:
    client.force_login(user)
    response = client.get("/notifications/bell/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.text


def test_cancelling_before_it_is_seen_clears_the_bell_the_list_and_the_pending_email(
    client, pair, django_capture_on_commit_callbacks
):
    sender, receiver = pair
    with django_capture_on_commit_callbacks(execute=False) as pending_email:
        friends.friend_request_send(sender=sender, to_user=receiver)
    assert "1 unread" in _bell(client, receiver)

    client.force_login(sender)
    response = client.post(f"/u/{receiver.username}/cancel/", {"view": "row"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    # The worker picks the email task up only now, after the cancel: it must not send.
    for callback in pending_email:
        callback()
    assert mail.outbox == []

    assert "none unread" in _bell(client, receiver)
    page = client.get("/notifications/")
    assert "Sandro Sender wants to be your friend" not in page.text
    assert not Notification.objects.filter(recipient=receiver).exists()


def test_a_request_already_read_stays_in_the_receivers_history(pair):
    sender, receiver = pair
    request = friends.friend_request_send(sender=sender, to_user=receiver)
    Notification.objects.filter(recipient=receiver).update(read_at="2026-01-01T00:00Z")
    friends.friend_request_cancel(user=sender, friend_request=request)
    assert Notification.objects.filter(recipient=receiver, kind=NotificationKind.FRIEND_REQUEST).count() == 1


def test_asking_again_after_cancelling_notifies_again(pair, django_capture_on_commit_callbacks):
    sender, receiver = pair
    first = friends.friend_request_send(sender=sender, to_user=receiver)
    friends.friend_request_cancel(user=sender, friend_request=first)
    with django_capture_on_commit_callbacks(execute=True):
        friends.friend_request_send(sender=sender, to_user=receiver)
    assert Notification.objects.filter(recipient=receiver, kind=NotificationKind.FRIEND_REQUEST).count() == 1
    assert [message.to for message in mail.outbox] == [[receiver.email]]


def test_blocking_withdraws_the_unread_request_notification(pair):
    sender, receiver = pair
    friends.friend_request_send(sender=sender, to_user=receiver)
    friends.block_create(blocker=sender, blocked=receiver)
    assert not Notification.objects.filter(recipient=receiver).exists()
