"""One-click unsubscribe: a signed token (member + kind), no login; GET asks, POST unsubscribes (also the
RFC 8058 one-click POST of mail clients); forged, altered or expired tokens are refused with a 400."""

import time

import pytest
from django.core import signing
from django.test import Client

from social.models import NotificationKind
from social.unsubscribe import SALT, UNSUBSCRIBE_MAX_AGE, unsubscribe_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/notifications/unsubscribe/"
KIND = NotificationKind.MEETING_REMINDER


@pytest.fixture
def member():
    return UserFactory()


def test_the_link_asks_for_confirmation_without_login_and_changes_nothing(client, member):
    response = client.get(URL, {"token": unsubscribe_token(member, KIND)})
    assert response.status_code == 200
    assert "Stop these emails?" in response.text
    assert "Meeting tomorrow" in response.text
    member.refresh_from_db()
    assert member.email_muted_kinds == []


def test_confirming_mutes_that_kind_only(member):
    client = Client(enforce_csrf_checks=True)  # the confirm form is posted without a session
    response = client.post(URL, {"token": unsubscribe_token(member, KIND)})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    member.refresh_from_db()
    assert member.email_muted_kinds == [KIND]


def test_mail_clients_one_click_post_unsubscribes(member):
    client = Client(enforce_csrf_checks=True)
    token = unsubscribe_token(member, KIND)
    response = client.post(
        f"{URL}?token={token}", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email_muted_kinds == [KIND]


def test_unsubscribing_twice_keeps_one_entry_and_other_mutes(client, member):
    member.email_muted_kinds = [NotificationKind.BET_WON]
    member.save()
    token = unsubscribe_token(member, KIND)
    client.post(URL, {"token": token})
    client.post(URL, {"token": token})
    member.refresh_from_db()
    assert sorted(member.email_muted_kinds) == sorted([NotificationKind.BET_WON, KIND])


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "eyJ1IjoxLCJrIjoibWVldGluZ19yZW1pbmRlciJ9:1abcde:forgedsignature",
        signing.TimestampSigner(salt="another.salt").sign_object({"u": 1, "k": "meeting_reminder"}),
        signing.TimestampSigner(
            salt=SALT, key="not-our-secret-key-0123456789-0123456789-0123456789"
        ).sign_object({"u": 1, "k": "meeting_reminder"}),
    ],
    ids=["empty", "garbage", "forged-signature", "other-salt", "other-key"],
)
def test_forged_tokens_are_refused_with_400_and_change_nothing(client, member, token):
    for response in (client.get(URL, {"token": token}), client.post(URL, {"token": token})):
        assert response.status_code == 400
        assert "This link does not work" in response.text
    member.refresh_from_db()
    assert member.email_muted_kinds == []


def test_a_token_for_another_member_cannot_be_altered_to_mine(client, member):
    other = UserFactory()
    token = unsubscribe_token(other, KIND)
    value, rest = token.split(":", 1)
    tampered = signing.b64_encode(f'{{"u":{member.pk},"k":"{KIND}"}}'.encode()).decode() + ":" + rest
    assert value != tampered.split(":", 1)[0]
    assert client.post(URL, {"token": tampered}).status_code == 400
    member.refresh_from_db()
    assert member.email_muted_kinds == []


def test_an_unknown_kind_even_correctly_signed_is_refused(client, member):
    token = signing.TimestampSigner(salt=SALT).sign_object({"u": member.pk, "k": "newsletter"})
    assert client.post(URL, {"token": token}).status_code == 400


def test_expired_tokens_are_refused_with_a_clear_message(client, member, monkeypatch):
    token = unsubscribe_token(member, KIND)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + UNSUBSCRIBE_MAX_AGE + 60)
    response = client.post(URL, {"token": token})
    assert response.status_code == 400
    assert "expired" in response.text
    member.refresh_from_db()
    assert member.email_muted_kinds == []


def test_a_token_of_a_deleted_account_is_refused(client, member):
    token = unsubscribe_token(member, KIND)
    member.is_active = False
    member.save()
    assert client.get(URL, {"token": token}).status_code == 400
