"""Avatars are refused above 16 megapixels from the header alone, without touching Pillow's
process-wide limit; blocking and unfriending withdraw pending club invitations between the two."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from booky.core.errors import DomainError
from clubs.invitations import invitation_send
from clubs.models import ClubInvitation, InvitationStatus
from social import friends
from social.avatars import process_upload
from tests.factories import ClubFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


def png(size, mode="1") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


def test_a_picture_over_16_megapixels_is_refused_before_decoding(monkeypatch):
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("load() must not run for an oversized picture")

    upload = png((5000, 4000))
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(DomainError, match="5000 × 4000 pixels; the limit is 16 megapixels"):
        process_upload(upload)


def test_a_picture_of_16_megapixels_is_accepted():
    stored = process_upload(png((4000, 4000)))
    assert Image.open(io.BytesIO(stored.read())).size == (256, 256)


def test_the_avatar_module_leaves_pillows_process_wide_limit_alone():
    import social.avatars  # noqa: F401  (imported above too: the point is that importing it changes nothing)

    assert int(1024 * 1024 * 1024 // 4 // 3) == Image.MAX_IMAGE_PIXELS  # Pillow's own default


@pytest.fixture
def pair():
    """Ann invited Bob to her club, and Bob invited Ann to his: both pending."""
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    befriend(ann, bob)
    anns_club, bobs_club = ClubFactory(), ClubFactory()
    add_member(anns_club, ann)
    add_member(bobs_club, bob)
    invitation_send(inviter=ann, club=anns_club, invitee=bob)
    invitation_send(inviter=bob, club=bobs_club, invitee=ann)
    return ann, bob


def pending() -> int:
    return ClubInvitation.objects.filter(status=InvitationStatus.PENDING).count()


def test_blocking_withdraws_pending_club_invitations_both_ways(pair):
    ann, bob = pair
    assert pending() == 2

    friends.block_create(blocker=bob, blocked=ann)

    assert pending() == 0
    assert set(ClubInvitation.objects.values_list("status", flat=True)) == {InvitationStatus.DECLINED}


def test_unfriending_withdraws_pending_club_invitations_both_ways(pair, client):
    ann, bob = pair
    client.force_login(ann)

    client.post("/u/bob/unfriend/")

    assert pending() == 0
    client.force_login(bob)
    assert "invited you" not in client.get("/clubs/invitations/").content.decode()


def test_unfriending_leaves_invitations_with_other_people_alone(pair):
    ann, bob = pair
    carol = UserFactory(username="carol")
    befriend(ann, carol)
    club = ann.memberships.get().club
    invitation_send(inviter=ann, club=club, invitee=carol)

    friends.friendship_remove(user=bob, other=ann)

    assert list(
        ClubInvitation.objects.filter(status=InvitationStatus.PENDING).values_list(
            "invitee__username", flat=True
        )
    ) == ["carol"]
