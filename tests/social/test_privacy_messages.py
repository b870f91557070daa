"""Messages (API errors, page flashes, notifications) name a member by their display name only when the
reader may see that member's profile; otherwise by "@username", which the actor typed or followed
and so reveals nothing new."""

import pytest
from rest_framework.test import APIClient

from booky.core.errors import Conflict
from clubs.invitations import invitation_send
from social import friends
from social.models import FriendRequest, Notification, ProfileVisibility
from social.permissions import shown_name
from tests.factories import ClubFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


@pytest.fixture
def grace(db):
    return UserFactory(
        username="grace", display_name="Grace SECRETNAME", profile_visibility=ProfileVisibility.PRIVATE
    )


@pytest.fixture
def frida(db):
    return UserFactory(
        username="frida", display_name="Frida SECRETNAME", profile_visibility=ProfileVisibility.FRIENDS
    )


@pytest.fixture
def me(db):
    return UserFactory(username="me", display_name="Mia Reader")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_shown_name_gives_the_display_name_only_to_who_may_see_the_profile(grace, frida, me):
    assert shown_name(me, grace) == "@grace"
    assert shown_name(None, frida) == "@frida"
    assert shown_name(me, frida) == "@frida"
    befriend(me, frida)
    assert shown_name(me, frida) == "Frida SECRETNAME"
    assert shown_name(grace, grace) == "Grace SECRETNAME"


def test_unfriending_a_stranger_does_not_reveal_their_display_name(me, grace):
    response = api(me).delete("/api/v1/friends/grace/")

    assert response.status_code == 404
    assert response.json()["detail"] == "You and @grace are not friends."


@pytest.mark.parametrize("person", ["grace", "frida"])
def test_api_errors_about_a_hidden_member_use_their_username(me, grace, frida, person):
    client = api(me)
    assert client.post("/api/v1/friend-requests/", {"to": person}, format="json").status_code == 201
    again = client.post("/api/v1/friend-requests/", {"to": person}, format="json")
    unblock = client.delete(f"/api/v1/blocks/{person}/")
    client.post("/api/v1/blocks/", {"username": person}, format="json")
    block_again = client.post("/api/v1/blocks/", {"username": person}, format="json")

    bodies = [again.json()["detail"], unblock.json()["detail"], block_again.json()["detail"]]
    assert bodies == [
        f"Your request to @{person} is still waiting for an answer.",
        f"You have not blocked @{person}.",
        f"You already blocked @{person}.",
    ]


def test_page_messages_about_a_hidden_member_use_their_username(client, me, grace):
    client.force_login(me)

    sent = client.post("/friends/send/", {"username": "grace"}, follow=True).content.decode()
    cancelled = client.post("/u/grace/cancel/", follow=True).content.decode()
    blocked = client.post("/u/grace/block/", follow=True).content.decode()
    unblocked = client.post("/u/grace/unblock/", headers={"HX-Request": "true"}).content.decode()

    for html in (sent, cancelled, blocked, unblocked):
        assert "SECRETNAME" not in html
    assert "Friend request sent to @grace." in sent
    assert "Your friend request to @grace is cancelled." in cancelled
    assert "You blocked @grace." in blocked
    assert "You unblocked @grace." in unblocked


def test_a_friend_request_notification_does_not_reveal_a_private_senders_name(me, grace):
    friends.friend_request_send(sender=grace, to_user=me)

    message = Notification.objects.get(recipient=me).message
    assert message == "@grace wants to be your friend."


def test_accepting_names_a_friends_only_member_once_you_are_friends(client, me, frida):
    friends.friend_request_send(sender=frida, to_user=me)
    client.force_login(me)

    html = client.post("/u/frida/accept/", follow=True).content.decode()

    assert "You and Frida SECRETNAME are now friends." in html
    assert FriendRequest.objects.get().status == "accepted"
    unfriended = client.post("/u/frida/unfriend/", follow=True).content.decode()
    assert "You and @frida are no longer friends." in unfriended


def test_club_invitation_messages_do_not_reveal_a_private_friends_name(me, grace):
    club = ClubFactory()
    add_member(club, me)
    befriend(me, grace)

    invitation_send(inviter=me, club=club, invitee=grace)
    notification = Notification.objects.get(recipient=grace, kind="club_invitation")
    assert notification.message == f"Mia Reader invited you to join {club.name}."

    with pytest.raises(Conflict) as error:
        invitation_send(inviter=me, club=club, invitee=grace)
    assert str(error.value.message) == f"@grace already has an invitation to {club.name}."


def test_the_invite_form_message_uses_the_username_for_a_private_friend(client, me, grace):
    club = ClubFactory()
    add_member(club, me)
    befriend(me, grace)
    client.force_login(me)

    html = client.post(
        f"/clubs/invitations/send/{club.slug}/", {"invitee": "grace"}, follow=True
    ).content.decode()

    assert "Invitation sent to @grace." in html
    assert "Grace SECRETNAME" not in html
