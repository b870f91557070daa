"""The domain events clubs sends (clubs/events.py): when, with what, and inside the service's
transaction, so a receiver's failure (or veto) undoes the club change."""

import pytest

from booky.core.errors import Conflict
from clubs import events, services
from clubs.models import Club, Membership

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


class Recorder:
    """Records each event it receives (and the club's members at that moment); raises `fail[event]`."""

    def __init__(self):
        self.calls: list[dict] = []
        self.fail: dict[str, Exception] = {}

    def __call__(self, sender, signal, club, **kwargs):
        name = "member_left" if signal is events.member_left else "club_deleting"
        members = set(Membership.objects.filter(club=club).values_list("user_id", flat=True))
        self.calls.append(dict(event=name, sender=sender, club_pk=club.pk, members=members, **kwargs))
        if name in self.fail:
            raise self.fail[name]


@pytest.fixture
def received():
    """A recorder connected to both events, after the apps' own receivers, for one test."""
    recorder = Recorder()
    for signal in (events.member_left, events.club_deleting):
        signal.connect(recorder, dispatch_uid="tests.clubs.recorder")
    yield recorder
    for signal in (events.member_left, events.club_deleting):
        signal.disconnect(dispatch_uid="tests.clubs.recorder")


def test_leaving_sends_member_left_with_the_club_and_the_leaver_after_the_membership_is_gone(cast, received):
    services.club_leave(user=cast.member, club=cast.club)
    (call,) = received.calls
    assert call["event"] == "member_left" and call["sender"] is Club
    assert call["club_pk"] == cast.club.pk and call["user"] == cast.member
    assert cast.member.pk not in call["members"]


def test_removing_a_member_sends_member_left_for_the_removed_member(cast, received):
    membership = Membership.objects.get(club=cast.club, user=cast.member)
    services.membership_remove(actor=cast.owner, membership=membership)
    (call,) = received.calls
    assert call["event"] == "member_left"
    assert call["club_pk"] == cast.club.pk and call["user"] == cast.member
    assert cast.member.pk not in call["members"]


def test_refusals_send_nothing(cast, received):
    with pytest.raises(Conflict):
        services.club_leave(user=cast.owner, club=cast.club)  # the owner cannot leave
    with pytest.raises(Conflict):
        services.club_leave(user=cast.outsider, club=cast.club)
    assert received.calls == []


def test_a_failing_member_left_receiver_rolls_the_leave_back(cast, received):
    received.fail["member_left"] = Boom("receiver failed")
    with pytest.raises(Boom):
        services.club_leave(user=cast.member, club=cast.club)
    assert Membership.objects.filter(club=cast.club, user=cast.member).exists()
    membership = Membership.objects.get(club=cast.club, user=cast.moderator)
    with pytest.raises(Boom):
        services.membership_remove(actor=cast.owner, membership=membership)
    assert Membership.objects.filter(club=cast.club, user=cast.moderator).exists()


def test_deleting_sends_club_deleting_inside_the_transaction_before_the_delete(cast, received):
    services.club_delete(actor=cast.owner, club=cast.club)
    (call,) = received.calls
    assert call["event"] == "club_deleting" and call["sender"] is Club
    assert call["club_pk"] == cast.club.pk
    assert call["members"]  # still there: the club is deleted after the receivers said yes
    assert not Club.objects.filter(pk=cast.club.pk).exists()


def test_a_club_deleting_receiver_vetoes_the_delete_with_its_reason(cast, received):
    received.fail["club_deleting"] = Conflict("Not today.", code="vetoed")
    with pytest.raises(Conflict, match="Not today.") as refusal:
        services.club_delete(actor=cast.owner, club=cast.club)
    assert refusal.value.code == "vetoed"
    assert Club.objects.filter(pk=cast.club.pk).exists()
    assert Membership.objects.filter(club=cast.club).count() == 3


def test_only_a_permitted_delete_asks_the_receivers(cast, received):
    with pytest.raises(Exception, match="Only the owner"):
        services.club_delete(actor=cast.member, club=cast.club)
    assert received.calls == []
