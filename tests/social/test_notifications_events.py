"""Each event produces exactly one notification to each person concerned, and an email after commit
unless they muted that kind."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bets.services import account_open, bet_place, meeting_resolve_bets
from clubs import invitations
from clubs.models import JoinPolicy, JoinRequest, Role
from clubs.services import club_join, join_request_approve
from meetings import services as meeting_services
from meetings.models import Attendance, Rsvp
from social import friends
from social.models import Notification, NotificationKind
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend, inbox, recipients

pytestmark = pytest.mark.django_db


def test_friend_request_notifies_the_receiver_once_and_emails_them(django_capture_on_commit_callbacks):
    sender, receiver = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        friends.friend_request_send(sender=sender, to_user=receiver)
    assert recipients(NotificationKind.FRIEND_REQUEST) == [receiver.pk]
    assert [message.to for message in mail.outbox] == [[receiver.email]]
    assert f"{sender.name} wants to be your friend" in mail.outbox[0].subject


def test_accepting_a_friend_request_notifies_the_sender(django_capture_on_commit_callbacks):
    sender, receiver = UserFactory(), UserFactory()
    request = friends.friend_request_send(sender=sender, to_user=receiver)
    with django_capture_on_commit_callbacks(execute=True):
        friends.friend_request_accept(user=receiver, friend_request=request)
    assert recipients(NotificationKind.FRIEND_ACCEPTED) == [sender.pk]
    assert [message.to for message in mail.outbox] == [[sender.email]]


def test_muted_kind_is_notified_in_app_but_not_emailed(django_capture_on_commit_callbacks):
    sender = UserFactory()
    receiver = UserFactory(email_muted_kinds=[NotificationKind.FRIEND_REQUEST])
    with django_capture_on_commit_callbacks(execute=True):
        friends.friend_request_send(sender=sender, to_user=receiver)
    assert len(inbox(receiver, NotificationKind.FRIEND_REQUEST)) == 1
    assert mail.outbox == []


def test_club_invitation_notifies_only_the_invitee(django_capture_on_commit_callbacks):
    club = ClubFactory()
    owner = club.memberships.get().user
    friend = UserFactory()
    befriend(owner, friend)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind, notification.url) == (
        friend,
        NotificationKind.CLUB_INVITATION,
        "/clubs/invitations/",
    )
    assert [message.to for message in mail.outbox] == [[friend.email]]


def test_join_request_notifies_the_owner_and_every_moderator_not_plain_members():
    club = ClubFactory(join_policy=JoinPolicy.APPROVAL)
    owner = club.memberships.get().user
    moderators = [add_member(club, role=Role.MODERATOR).user for _ in range(2)]
    add_member(club)
    requester = UserFactory()
    club_join(user=requester, club=club)
    assert recipients(NotificationKind.JOIN_REQUEST) == sorted([owner.pk, *(m.pk for m in moderators)])
    notification = Notification.objects.filter(kind=NotificationKind.JOIN_REQUEST).first()
    assert notification.url == f"/clubs/{club.slug}/requests/"
    assert requester.name in notification.message


def test_joining_an_open_club_notifies_nobody():
    club_join(user=UserFactory(), club=ClubFactory(join_policy=JoinPolicy.OPEN))
    assert Notification.objects.count() == 0


def test_approving_a_join_request_notifies_the_requester_once():
    club = ClubFactory(join_policy=JoinPolicy.APPROVAL)
    owner = club.memberships.get().user
    requester = UserFactory()
    request = JoinRequest.objects.create(club=club, user=requester)
    join_request_approve(actor=owner, join_request=request)
    assert recipients(NotificationKind.JOIN_APPROVED) == [requester.pk]


@pytest.fixture
def club_with_members():
    club = ClubFactory()
    owner = club.memberships.get().user
    members = [add_member(club).user for _ in range(3)]
    return club, owner, members


def test_scheduling_a_meeting_notifies_every_member_except_the_host(club_with_members):
    club, owner, members = club_with_members
    meeting_services.meeting_create(
        actor=owner,
        club=club,
        book=BookFactory(),
        starts_at=timezone.now() + timedelta(days=3),
        place="Library",
    )
    assert recipients(NotificationKind.MEETING_SCHEDULED) == sorted(m.pk for m in members)


def test_moving_a_meeting_notifies_members_and_an_edit_without_moving_does_not(club_with_members):
    club, owner, members = club_with_members
    meeting = MeetingFactory(club=club)
    meeting_services.meeting_update(actor=owner, meeting=meeting, expected_version=1, place="The park")
    assert Notification.objects.filter(kind=NotificationKind.MEETING_RESCHEDULED).count() == 0
    meeting_services.meeting_update(
        actor=owner, meeting=meeting, expected_version=2, starts_at=meeting.starts_at + timedelta(days=1)
    )
    assert recipients(NotificationKind.MEETING_RESCHEDULED) == sorted(m.pk for m in members)


def test_cancelling_a_meeting_notifies_members_with_the_reason(club_with_members):
    club, owner, members = club_with_members
    meeting = MeetingFactory(club=club)
    meeting_services.meeting_cancel(actor=owner, meeting=meeting, reason="The host is ill")
    assert recipients(NotificationKind.MEETING_CANCELLED) == sorted(m.pk for m in members)
    assert (
        "The host is ill"
        in Notification.objects.filter(kind=NotificationKind.MEETING_CANCELLED).first().message
    )


def test_meeting_notices_show_the_time_in_each_members_timezone():
    club = ClubFactory()
    owner = club.memberships.get().user
    add_member(club, UserFactory(timezone="Asia/Tokyo"))
    starts_at = (timezone.now() + timedelta(days=10)).replace(hour=12, minute=0, second=0, microsecond=0)
    meeting_services.meeting_create(
        actor=owner, club=club, book=BookFactory(), starts_at=starts_at, place="Hall"
    )
    message = Notification.objects.get(kind=NotificationKind.MEETING_SCHEDULED).message
    assert "21:00 (JST)" in message


def _race(club, users):
    meeting = MeetingFactory(club=club, starts_at=timezone.now() + timedelta(days=2))
    for user in users:
        account_open(user=user)
        Attendance.objects.create(meeting=meeting, user=user, rsvp=Rsvp.GOING)
    return meeting


def test_resolved_bets_tell_winners_their_payout_and_losers_their_loss():
    club = ClubFactory()
    owner = club.memberships.get().user
    winner_bettor, loser_bettor, runner = add_member(club).user, add_member(club).user, add_member(club).user
    meeting = _race(club, [owner, winner_bettor, loser_bettor, runner])
    bet_place(bettor=winner_bettor, meeting=meeting, horse=runner, amount=10)
    bet_place(bettor=loser_bettor, meeting=meeting, horse=owner, amount=30)
    Attendance.objects.filter(meeting=meeting, user=runner).update(
        finished=True, finished_at=timezone.now(), current_page=meeting.target_page
    )
    assert meeting_resolve_bets(meeting_id=meeting.pk, now=meeting.starts_at + timedelta(minutes=1))
    won = Notification.objects.get(recipient=winner_bettor)
    lost = Notification.objects.get(recipient=loser_bettor)
    assert won.kind == lost.kind == NotificationKind.BET_WON
    assert "won 40 (stake 10, +30)" in won.message
    assert "lost 30" in lost.message
    # Resolving again changes nothing and notifies nobody twice.
    assert not meeting_resolve_bets(meeting_id=meeting.pk, now=meeting.starts_at + timedelta(minutes=2))
    assert Notification.objects.filter(kind=NotificationKind.BET_WON).count() == 2


def test_cancelling_a_meeting_refunds_and_notifies_each_bettor_once(django_capture_on_commit_callbacks):
    club = ClubFactory()
    owner = club.memberships.get().user
    bettor = add_member(club).user
    meeting = _race(club, [owner, bettor])
    bet_place(bettor=bettor, meeting=meeting, horse=owner, amount=25)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_cancel(actor=owner, meeting=meeting)
    [refund] = inbox(bettor, NotificationKind.BET_REFUNDED)
    assert "refunded 25" in refund.message and "cancelled" in refund.message
    assert len(inbox(bettor, NotificationKind.MEETING_CANCELLED)) == 1
    assert sorted(message.subject for message in mail.outbox if message.to == [bettor.email]) == sorted(
        f"[Booky] {n.message}"[:150] for n in inbox(bettor)
    )


def test_deactivated_members_get_no_notifications(club_with_members):
    club, owner, members = club_with_members
    members[0].is_active = False
    members[0].save()
    meeting_services.meeting_create(
        actor=owner,
        club=club,
        book=BookFactory(),
        starts_at=timezone.now() + timedelta(days=3),
        place="Library",
    )
    assert members[0].pk not in recipients(NotificationKind.MEETING_SCHEDULED)
