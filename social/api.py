"""The social API: the member's own account (`me/`), friends, friend requests and blocks. (A member's
profile, `users/{username}/`, shows their clubs and reading: booky.site.api.profile serves it.)

Writes go through social.services and social.friends. Every list of people is one query
(social.selectors.people_for), and a person's display name and picture are shown only when the
caller may see their profile, so nothing hidden leaks through the API.
"""

from django.db import transaction
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from booky.core.api import ErrorSerializer, require_changes
from booky.core.errors import NotFound
from booky.core.validators import validate_visible_name
from social import avatars, friends, selectors
from social.models import Block, FriendRequest, FriendRequestStatus, NotificationKind, ProfileVisibility, User
from social.notifications import email_preferences_update
from social.ratelimit import check_friend_request_rate
from social.services import user_update_profile

USERNAME_REGEX = r"[^/]+"


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


# Serializers ---------------------------------------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "display_name",
            "bio",
            "timezone",
            "profile_visibility",
            "email_muted_kinds",
            "avatar_url",
            "date_joined",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True, help_text="null until you upload a picture."))
    def get_avatar_url(self, user) -> str | None:
        return avatars.avatar_url(self.context.get("request"), user)


class ProfileInputSerializer(serializers.Serializer):
    """Type checks only; the service owns the rules (lengths, time zone names, null characters)."""

    display_name = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, validators=[validate_visible_name]
    )
    bio = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    timezone = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="An IANA zone name exactly as zoneinfo spells it, e.g. `Europe/Lisbon` or `UTC` "
        "(the site's settings form also takes a city; the API does not guess).",
    )
    profile_visibility = serializers.ChoiceField(
        required=False,
        choices=ProfileVisibility.choices,
        help_text="`public`: everyone; `friends`: your friends; `private`: only you.",
    )
    email_muted_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationKind.choices),
        required=False,
        max_length=len(NotificationKind.choices),
        help_text="Kinds of notification you do not want by email (they still appear in the app).",
    )


class PersonSerializer(serializers.Serializer):
    """Another member as the caller may see them: with a hidden profile, only the username."""

    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()
    avatar_url = serializers.SerializerMethodField()
    profile_visible = serializers.BooleanField(help_text="Whether `users/{username}/` opens for you.")
    relationship = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_display_name(self, person) -> str | None:
        return person.display_name if person.profile_visible else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, person) -> str | None:
        return avatars.avatar_url(self.context.get("request"), person) if person.profile_visible else None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=selectors.RELATIONSHIPS, help_text="Where you stand with this member."
        )
    )
    def get_relationship(self, person) -> str:
        request = self.context.get("request")
        return selectors.relationship(request.user if request is not None else None, person)


class FriendRequestSerializer(serializers.ModelSerializer):
    from_user = serializers.CharField(source="from_user.username", help_text="The sender's username.")
    to_user = serializers.CharField(source="to_user.username", help_text="The receiver's username.")

    class Meta:
        model = FriendRequest
        fields = ["id", "from_user", "to_user", "status", "created_at", "decided_at"]
        read_only_fields = fields


class FriendRequestInputSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=150, help_text="The username of the member to ask.")


class BlockSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="blocked.username")

    class Meta:
        model = Block
        fields = ["username", "created_at"]
        read_only_fields = fields


class BlockInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="The username of the member to block.")


# Views ---------------------------------------------------------------------------------------------


class MeView(GenericAPIView):
    """The logged-in member's own account."""

    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(request=ProfileInputSerializer, responses={200: MeSerializer, **_errors(400, 401)})
    def patch(self, request):
        data = ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require_changes(data.validated_data, ProfileInputSerializer().fields)
        user = request.user
        profile_changes = dict(data.validated_data)
        muted_kinds = profile_changes.pop("email_muted_kinds", None)
        changes = {
            "display_name": user.display_name,
            "bio": user.bio,
            "timezone": user.timezone,
        } | profile_changes
        with transaction.atomic():
            user = user_update_profile(user=user, **changes)
            if muted_kinds is not None:
                user = email_preferences_update(user=user, muted_kinds=muted_kinds)
        return Response(MeSerializer(user, context={"request": request}).data)


def _live_user(username: str) -> User:
    user = selectors.live_users().filter(username__iexact=username).first()
    if user is None:
        raise NotFound("There is no member with that username.", code="unknown_user")
    return user


@extend_schema_view(
    list=extend_schema(summary="Your friends", responses={200: PersonSerializer, **_errors(401)}),
    destroy=extend_schema(
        summary="Stop being friends",
        parameters=[OpenApiParameter("username", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={204: None, **_errors(401, 404)},
    ),
)
class FriendViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PersonSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "username"
    lookup_value_regex = USERNAME_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return selectors.friends_list(self.request.user)

    def destroy(self, request, username=None):
        friends.friendship_remove(user=request.user, other=_live_user(username))
        return Response(status=status.HTTP_204_NO_CONTENT)


DIRECTION_PARAMETER = OpenApiParameter(
    "direction",
    OpenApiTypes.STR,
    enum=["incoming", "outgoing"],
    description="`incoming`: requests sent to you; `outgoing`: requests you sent. Both when left out.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Pending friend requests",
        parameters=[DIRECTION_PARAMETER],
        responses={200: FriendRequestSerializer, **_errors(400, 401)},
    ),
    create=extend_schema(
        summary="Ask a member to be friends",
        description="201 with the pending request. When they had already asked you, you become friends at "
        "once: 200 with their (now accepted) request. Limited to 20 requests an hour (429 after that).",
        request=FriendRequestInputSerializer,
        responses={
            201: FriendRequestSerializer,
            200: FriendRequestSerializer,
            **_errors(400, 401, 403, 404, 409, 429),
        },
    ),
)
class FriendRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = FriendRequestSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FriendRequest.objects.none()
        me = self.request.user
        return (
            FriendRequest.objects.filter(Q(from_user=me) | Q(to_user=me))
            .select_related("from_user", "to_user")
            .order_by("-created_at", "-pk")
        )

    def list(self, request):
        me = request.user
        requests = self.get_queryset().filter(status=FriendRequestStatus.PENDING)
        direction = request.query_params.get("direction", "")
        if direction == "incoming":
            requests = requests.filter(to_user=me)
        elif direction == "outgoing":
            requests = requests.filter(from_user=me)
        elif direction:
            raise serializers.ValidationError({"direction": ["Use incoming or outgoing."]})
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(FriendRequestSerializer(page, many=True).data)

    def create(self, request):
        data = FriendRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_friend_request_rate(request)
        to_user = _live_user(data.validated_data["to"].strip().lstrip("@"))
        result = friends.friend_request_send(sender=request.user, to_user=to_user)
        if isinstance(result, FriendRequest):
            return Response(FriendRequestSerializer(result).data, status=status.HTTP_201_CREATED)
        accepted = (
            self.get_queryset()
            .filter(from_user=to_user, to_user=request.user, status=FriendRequestStatus.ACCEPTED)
            .first()
        )
        return Response(FriendRequestSerializer(accepted).data, status=status.HTTP_200_OK)

    def _decide(self, request, pk, service):
        friend_request = self.get_object()
        service(user=request.user, friend_request=friend_request)
        return Response(FriendRequestSerializer(self.get_queryset().get(pk=friend_request.pk)).data)

    @extend_schema(
        summary="Accept a request sent to you",
        request=None,
        responses={200: FriendRequestSerializer, **_errors(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(request, pk, friends.friend_request_accept)

    @extend_schema(
        summary="Decline a request sent to you",
        request=None,
        responses={200: FriendRequestSerializer, **_errors(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, pk, friends.friend_request_decline)

    @extend_schema(
        summary="Withdraw a request you sent",
        request=None,
        responses={200: FriendRequestSerializer, **_errors(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(request, pk, friends.friend_request_cancel)


@extend_schema_view(
    list=extend_schema(summary="Members you blocked", responses={200: BlockSerializer, **_errors(401)}),
    create=extend_schema(
        summary="Block a member",
        description="Ends any friendship and withdraws pending requests between you. They can no longer "
        "send you requests or see a friends-only profile.",
        request=BlockInputSerializer,
        responses={201: BlockSerializer, **_errors(400, 401, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Unblock a member",
        parameters=[OpenApiParameter("username", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={204: None, **_errors(401, 404)},
    ),
)
class BlockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = BlockSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "username"
    lookup_value_regex = USERNAME_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Block.objects.none()
        return (
            Block.objects.filter(blocker=self.request.user, blocked__is_active=True)
            .select_related("blocked")
            .order_by("blocked__username")
        )

    def create(self, request):
        data = BlockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        block = friends.block_create(
            blocker=request.user, blocked=_live_user(data.validated_data["username"].strip().lstrip("@"))
        )
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, username=None):
        friends.block_remove(blocker=request.user, blocked=_live_user(username))
        return Response(status=status.HTTP_204_NO_CONTENT)
