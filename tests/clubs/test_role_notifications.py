"""Members hear when they are made a moderator or the owner, and when Booky's moderators remove their club."""

import pytest
from django.contrib.auth.models import Group

from clubs import services
from clubs.models import Club, Role
from meetings.models import Attendance, Rsvp
from social.models import Notification, NotificationKind
from tests.factories import MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def _notices(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_a_member_made_moderator_on_the_site_is_told(client, cast):
    client.force_login(cast.owner)
    membership = cast.club.memberships.get(user=cast.member)
    client.post(f"/clubs/{cast.club.slug}/members/{membership.pk}/role/", {"role": "moderator"})

    [notice] = _notices(cast.member, NotificationKind.CLUB_ROLE)
    assert notice.message.startswith(f"You are now a moderator of {cast.club.name}:")
    assert notice.url == cast.club.get_absolute_url()
    assert notice.actor == cast.owner


def test_a_demotion_or_a_repeat_sends_nothing(cast):
    moderator = cast.club.memberships.get(user=cast.moderator)
    services.membership_set_role(actor=cast.owner, membership=moderator, role=Role.MODERATOR)
    services.membership_set_role(actor=cast.owner, membership=moderator, role=Role.MEMBER)
    assert _notices(cast.moderator, NotificationKind.CLUB_ROLE) == []


def test_the_new_owner_is_told(client, cast):
    client.force_login(cast.owner)
    membership = cast.club.memberships.get(user=cast.member)
    client.post(f"/clubs/{cast.club.slug}/members/{membership.pk}/transfer/")

    [notice] = _notices(cast.member, NotificationKind.CLUB_ROLE)
    assert notice.message.startswith(f"You are now the owner of {cast.club.name}:")
    assert _notices(cast.owner, NotificationKind.CLUB_ROLE) == []


def test_making_a_moderator_in_the_admin_tells_them_too(client, cast):
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(staff)
    membership = cast.club.memberships.get(user=cast.member)
    client.post(
        "/admin/clubs/membership/", {"action": "make_moderators", "_selected_action": [membership.pk]}
    )
    assert len(_notices(cast.member, NotificationKind.CLUB_ROLE)) == 1


def test_members_hear_when_staff_remove_their_club(client, cast):
    name = cast.club.name
    meeting = MeetingFactory(club=cast.club)  # its meetings go with it: no permission of their own needed
    Attendance.objects.create(meeting=meeting, user=cast.member, rsvp=Rsvp.GOING)
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(staff)

    response = client.post(f"/admin/clubs/club/{cast.club.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Club.objects.filter(name=name).exists()
    for person in (cast.owner, cast.moderator, cast.member):
        [notice] = _notices(person, NotificationKind.CLUB_REMOVED)
        assert notice.message == f"{name} was removed by Booky's moderators, with its meetings."
        assert notice.url == "/clubs/mine/"
    assert _notices(cast.outsider, NotificationKind.CLUB_REMOVED) == []


def test_an_owner_deleting_their_own_club_sends_no_removal_notice(cast):
    services.club_delete(actor=cast.owner, club=cast.club)
    assert not Notification.objects.filter(kind=NotificationKind.CLUB_REMOVED).exists()


def test_a_staff_member_of_the_club_is_not_told_what_they_did(cast):
    staff = add_member(cast.club, UserFactory(is_staff=True, is_superuser=True)).user
    services.club_delete(actor=staff, club=cast.club)
    assert _notices(staff, NotificationKind.CLUB_REMOVED) == []
    assert len(_notices(cast.member, NotificationKind.CLUB_REMOVED)) == 1
