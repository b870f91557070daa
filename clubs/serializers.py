"""The clubs API's serializers: what a club, a member and a request to join read as, and the input
each write takes (type checks only; the rules are clubs.services')."""

from django.urls import reverse
from rest_framework import serializers

from clubs import permissions
from clubs.models import Club, JoinRequest, JoinRequestStatus, Membership, Role
from clubs.services import EDITABLE_FIELDS, JOIN_MESSAGE_MAX_LENGTH

SEARCH_MAX_LENGTH = 100


class SearchQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=SEARCH_MAX_LENGTH)


class ClubSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)
    # A plain string, not a second enum of the same roles (drf-spectacular would name it twice).
    my_role = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Your role: owner, moderator or member; null if not a member.",
    )

    class Meta:
        model = Club
        fields = [
            "slug",
            "name",
            "description",
            "city",
            "country",
            "visibility",
            "join_policy",
            "member_count",
            "created_at",
            "my_role",
        ]
        read_only_fields = fields


def invite_path(club: Club) -> str:
    """The invite link's page, the same one the club's HTML pages share."""
    return reverse("clubs:invite", args=[club.invite_code])


class ClubDetailSerializer(ClubSerializer):
    invite_code = serializers.SerializerMethodField(help_text="Null unless you are the owner or a moderator.")
    invite_url = serializers.SerializerMethodField(help_text="Null unless you are the owner or a moderator.")

    class Meta(ClubSerializer.Meta):
        fields = [*ClubSerializer.Meta.fields, "invite_code", "invite_url"]
        read_only_fields = fields

    def _may_see_invite(self, club: Club) -> bool:
        return permissions.can_see_invite_link(self.context["request"].user, club)

    def get_invite_code(self, club: Club) -> str | None:
        return club.invite_code if self._may_see_invite(club) else None

    def get_invite_url(self, club: Club) -> str | None:
        if not self._may_see_invite(club):
            return None
        return self.context["request"].build_absolute_uri(invite_path(club))


class ClubInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Club
        fields = list(EDITABLE_FIELDS)


class MemberSerializer(serializers.ModelSerializer):
    """A member as the viewer may see them: outsiders of the club get no display name for a member whose
    profile is hidden from them (`display_name` null and `"hidden": true`, a key present only then)."""

    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(
        source="user.name",
        read_only=True,
        allow_null=True,
        help_text="The display name, or the username when none is set; null when hidden from you.",
    )
    hidden = serializers.BooleanField(
        read_only=True, required=False, help_text="Present (true) only when the profile is hidden from you."
    )

    class Meta:
        model = Membership
        fields = ["username", "display_name", "role", "joined_at", "hidden"]
        read_only_fields = fields

    def to_representation(self, membership):
        data = super().to_representation(membership)
        data.pop("hidden", None)
        if not getattr(membership.user, "profile_visible", True):
            data.update(display_name=None, hidden=True)
        return data


class MemberRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=Role.choices, help_text="moderator or member; owner changes by transfer."
    )


class JoinRequestSerializer(serializers.ModelSerializer):
    """A request to join. The requester is not a member yet, so the club's members see their display
    name only if their profile is visible to them (`display_name` null and `"hidden": true` otherwise)."""

    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(
        source="user.name", read_only=True, allow_null=True, help_text="null when hidden from you."
    )
    hidden = serializers.BooleanField(
        read_only=True, required=False, help_text="Present (true) only when the profile is hidden from you."
    )

    class Meta:
        model = JoinRequest
        fields = ["id", "username", "display_name", "status", "message", "created_at", "decided_at", "hidden"]
        read_only_fields = fields
        extra_kwargs = {"message": {"help_text": "The requester's note to the moderators; may be empty."}}

    def to_representation(self, join_request):
        data = super().to_representation(join_request)
        data.pop("hidden", None)
        if not getattr(join_request.user, "profile_visible", True):
            data.update(display_name=None, hidden=True)
        return data


class JoinRequestQuerySerializer(SearchQuerySerializer):
    status = serializers.ChoiceField(choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING)


class JoinInputSerializer(serializers.Serializer):
    invite_code = serializers.CharField(
        required=False, max_length=64, help_text="The code from an invite link; needed for invite-only clubs."
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=JOIN_MESSAGE_MAX_LENGTH,
        default="",
        help_text="A note for the moderators of an approval club (answer the question its description "
        "asks, if any). Ignored when you join at once.",
        error_messages={"max_length": "Keep your note to the moderators to {max_length} characters."},
    )


class JoinedSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True, help_text='"joined"')
    membership = MemberSerializer(read_only=True)


class RequestedSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True, help_text='"requested"')
    join_request = JoinRequestSerializer(read_only=True)


class TransferInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="A member of the club who becomes its owner.")
