"""The notifications API: list (all or unread, paginated), mark one read, mark all read; errors as
{"detail", "code"}; another member's notification is a 404."""

import pytest

from social.models import Notification, NotificationKind
from social.notifications import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, n=1):
    actor = UserFactory()
    return [
        notify(
            recipient=user,
            kind=NotificationKind.FRIEND_REQUEST,
            actor=actor,
            message=f"Hello {i}",
            url="/friends/",
        )
        for i in range(n)
    ]


@pytest.fixture
def member(api_client):
    user = UserFactory()
    api_client.force_authenticate(user)
    return user


def test_list_returns_only_my_notifications_newest_first(api_client, member):
    older, newer = _notify(member, 2)
    _notify(UserFactory())
    body = api_client.get("/api/v1/notifications/").json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    row = body["results"][0]
    assert row["kind"] == "friend_request" and row["kind_label"] == "Friend request received"
    assert row["is_read"] is False and row["url"] == "/friends/"
    assert row["actor"] == newer.actor.username


def test_unread_filter(api_client, member):
    read, unread = _notify(member, 2)
    api_client.post(f"/api/v1/notifications/{read.pk}/read/")
    assert [row["id"] for row in api_client.get("/api/v1/notifications/?unread=1").json()["results"]] == [
        unread.pk
    ]
    assert api_client.get("/api/v1/notifications/?unread=0").json()["count"] == 2


def test_a_bad_unread_value_is_a_400_with_a_clear_message(api_client, member):
    response = api_client.get("/api/v1/notifications/?unread=maybe")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "unread must be 1 (unread only) or 0 (all).",
        "code": "invalid_filter",
    }


def test_list_is_paginated(api_client, member):
    _notify(member, 25)
    body = api_client.get("/api/v1/notifications/").json()
    assert body["count"] == 25 and len(body["results"]) == 20 and body["next"]


def test_mark_one_read(api_client, member):
    [notification] = _notify(member)
    response = api_client.post(f"/api/v1/notifications/{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert Notification.objects.get(pk=notification.pk).read_at is not None


@pytest.mark.parametrize("target", ["theirs", "missing", "not-a-number"])
def test_marking_what_is_not_mine_is_a_404(api_client, member, target):
    [theirs] = _notify(UserFactory())
    pk = {"theirs": theirs.pk, "missing": 999999, "not-a-number": "abc"}[target]
    response = api_client.post(f"/api/v1/notifications/{pk}/read/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "code"}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(api_client, member):
    _notify(member, 3)
    response = api_client.post("/api/v1/notifications/read-all/")
    assert response.status_code == 200
    assert response.json() == {"marked_read": 3, "unread_count": 0}


def test_anonymous_gets_401_json(api_client, db):
    for response in (
        api_client.get("/api/v1/notifications/"),
        api_client.post("/api/v1/notifications/read-all/"),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_the_list_costs_the_same_with_3_or_30_notifications(api_client, member, django_assert_num_queries):
    _notify(member, 3)
    with django_assert_num_queries(2):
        api_client.get("/api/v1/notifications/")
    _notify(member, 27)
    with django_assert_num_queries(2):
        api_client.get("/api/v1/notifications/")
