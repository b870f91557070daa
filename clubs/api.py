"""The clubs API: serializers and viewsets. Every write goes through clubs.services.

Role checks happen here before input is validated, so a caller without the right role gets 403
whatever they send; the services check again. The API acts with the caller's role in the club:
site-wide moderation (staff acting on any club) happens in the admin.
"""

from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from booky.core.api import ErrorSerializer, require_changes
from booky.core.errors import NotAllowed
from clubs import permissions
from clubs.models import Club, JoinRequest, JoinRequestStatus, Membership, Role
from clubs.services import (
    EDITABLE_FIELDS,
    club_create,
    club_delete,
    club_join,
    club_leave,
    club_rotate_invite_code,
    club_transfer_ownership,
    club_update,
    join_request_approve,
    join_request_cancel,
    join_request_decline,
    membership_remove,
    membership_set_role,
)
from clubs.visibility import annotate_profile_visibility
from social.models import User
from social.permissions import profile_visible_q, with_profile_visibility

SEARCH_MAX_LENGTH = 100


def clubs_for(user):
    """Clubs the user may see, with their member count and the user's own role (or None)."""
    # Grouped queries drop Meta.ordering, so the order is spelled out for stable pages.
    clubs = Club.objects.visible_to(user).with_member_count().order_by("name", "pk")
    if user is None or not user.is_authenticated:
        return clubs.annotate(my_role=Value(None, output_field=CharField()))
    role = Membership.objects.filter(club=OuterRef("pk"), user=user).values("role")[:1]
    return clubs.annotate(my_role=Subquery(role))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


# Serializers ---------------------------------------------------------------------------------------


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


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


class JoinedSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True, help_text='"joined"')
    membership = MemberSerializer(read_only=True)


class RequestedSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True, help_text='"requested"')
    join_request = JoinRequestSerializer(read_only=True)


class TransferInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="A member of the club who becomes its owner.")


def _search_text(request) -> str:
    query = SearchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("search", "").strip()


SEARCH_PARAMETER = OpenApiParameter("search", str, description="Filter by text (case-insensitive).")
CLUB_SLUG = OpenApiParameter("club_slug", str, OpenApiParameter.PATH, description="The club's slug.")


# Clubs ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Clubs you can see",
        description="Public clubs and the private clubs you belong to, by name. "
        "`search` matches name, city and country.",
        parameters=[SEARCH_PARAMETER],
        responses={200: ClubSerializer, **_errors(400)},
    ),
    retrieve=extend_schema(summary="One club", responses={200: ClubDetailSerializer, **_errors(404)}),
    create=extend_schema(
        summary="Create a club; you become its owner",
        request=ClubInputSerializer,
        responses={
            201: ClubDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="No free address (slug) for this name."),
            **_errors(400, 401),
        },
    ),
    partial_update=extend_schema(
        summary="Edit a club (owner and moderators)",
        request=ClubInputSerializer,
        responses={200: ClubDetailSerializer, **_errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a club (owner)",
        description="409 `club_has_points_history` once points were bet or earned at its meetings: "
        "the points history is kept, so cancel its upcoming meetings instead.",
        responses={204: None, **_errors(401, 403, 404, 409)},
    ),
)
class ClubViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return clubs_for(self.request.user)

    def get_serializer_class(self):
        return ClubSerializer if self.action == "list" else ClubDetailSerializer

    def _detail(self, club: Club) -> dict:
        fresh = self.get_queryset().get(pk=club.pk)
        return ClubDetailSerializer(fresh, context=self.get_serializer_context()).data

    def list(self, request):
        clubs = self.get_queryset().search(_search_text(request))
        page = self.paginate_queryset(clubs)
        return self.get_paginated_response(ClubSerializer(page, many=True).data)

    def create(self, request):
        data = ClubInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        club = club_create(owner=request.user, **data.validated_data)
        return Response(self._detail(club), status=status.HTTP_201_CREATED)

    def partial_update(self, request, slug=None):
        club = self.get_object()
        _require(
            permissions.can_edit_club(request.user, club), "Only the owner and moderators can edit this club."
        )
        data = ClubInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        require_changes(data.validated_data, ClubInputSerializer.Meta.fields)
        club = club_update(actor=request.user, club=club, **data.validated_data)
        return Response(self._detail(club))

    def destroy(self, request, slug=None):
        club = self.get_object()
        _require(permissions.can_delete_club(request.user, club), "Only the owner can delete this club.")
        club_delete(actor=request.user, club=club)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _club_to_join(self, slug: str, invite_code: str | None) -> Club:
        """A club the user can see, or a private club whose current invite code they hold."""
        try:
            return get_object_or_404(self.get_queryset(), slug=slug)
        except Http404:
            if not invite_code:
                raise
            return get_object_or_404(Club.objects.all(), slug=slug, invite_code=invite_code)

    @extend_schema(
        summary="Join a club, or ask to join",
        description="Open clubs add you at once (201). Approval clubs record a request for the moderators "
        "(202). With the current `invite_code` you join any club at once, private ones included.",
        request=JoinInputSerializer,
        responses={201: JoinedSerializer, 202: RequestedSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def join(self, request, slug=None):
        data = JoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invite_code = data.validated_data.get("invite_code")
        club = self._club_to_join(slug, invite_code)
        outcome = club_join(user=request.user, club=club, invite_code=invite_code)
        if outcome.joined:
            body = {"status": "joined", "membership": MemberSerializer(outcome.membership).data}
            return Response(body, status=status.HTTP_201_CREATED)
        body = {"status": "requested", "join_request": JoinRequestSerializer(outcome.join_request).data}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Leave a club",
        description="The owner cannot leave (409): transfer ownership first, or delete the club.",
        request=None,
        responses={204: None, **_errors(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, slug=None):
        club_leave(user=request.user, club=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Withdraw your pending request to join",
        request=None,
        responses={204: None, **_errors(401, 404, 409)},
    )
    @action(detail=True, methods=["delete"], url_path="join-request", url_name="join-request")
    def cancel_join_request(self, request, slug=None):
        join_request_cancel(user=request.user, club=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Replace the invite code (owner)",
        description="Links with the old code stop working at once.",
        request=None,
        responses={200: ClubDetailSerializer, **_errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-invite", url_name="rotate-invite")
    def rotate_invite(self, request, slug=None):
        club = self.get_object()
        _require(
            permissions.can_rotate_invite_code(request.user, club),
            "Only the owner can reset the invite link.",
        )
        club = club_rotate_invite_code(actor=request.user, club=club)
        return Response(self._detail(club))

    @extend_schema(
        summary="Hand the club to another member (owner)",
        description="The previous owner stays on as a moderator.",
        request=TransferInputSerializer,
        responses={200: ClubDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, slug=None):
        club = self.get_object()
        _require(
            permissions.can_transfer_ownership(request.user, club), "Only the owner can transfer ownership."
        )
        data = TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # No such user is the same mistake as a user outside the club: the service answers 409 not_member.
        new_owner = User.objects.filter(username__iexact=data.validated_data["username"]).first()
        club = club_transfer_ownership(actor=request.user, club=club, new_owner=new_owner)
        return Response(self._detail(club))


class ClubChildMixin:
    """Views under clubs/{club_slug}/: the club is looked up once, and only among clubs the caller sees."""

    def get_club(self) -> Club:
        if not hasattr(self, "_club"):
            self._club = get_object_or_404(
                Club.objects.visible_to(self.request.user), slug=self.kwargs["club_slug"]
            )
        return self._club


# Members -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Members of a club, owner first",
        description="`search` matches username and display name.",
        parameters=[CLUB_SLUG, SEARCH_PARAMETER],
        responses={200: MemberSerializer, **_errors(400, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One member of a club",
        parameters=[CLUB_SLUG],
        responses={200: MemberSerializer, **_errors(404)},
    ),
    partial_update=extend_schema(
        summary="Make a member a moderator, or a moderator a member (owner)",
        parameters=[CLUB_SLUG],
        request=MemberRoleInputSerializer,
        responses={200: MemberSerializer, **_errors(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Remove a member (owner; moderators remove plain members)",
        parameters=[CLUB_SLUG],
        responses={204: None, **_errors(401, 403, 404, 409)},
    ),
)
class MemberViewSet(
    ClubChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = MemberSerializer
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return self.get_club().memberships.for_members_page()

    def get_object(self) -> Membership:
        membership = get_object_or_404(self.get_queryset(), user__username__iexact=self.kwargs["username"])
        membership.club = self.get_club()  # reuse the club, and the roles already looked up on it
        return membership

    def _members_as_seen(self):
        """The club's memberships, each marked with what the caller may see of the member."""
        return annotate_profile_visibility(self.get_queryset(), self.request.user, club=self.get_club())

    def retrieve(self, request, club_slug=None, username=None):
        membership = get_object_or_404(self._members_as_seen(), user__username__iexact=username)
        return Response(MemberSerializer(with_profile_visibility([membership])[0]).data)

    def list(self, request, club_slug=None):
        club = self.get_club()
        _require(permissions.can_view_members(request.user, club), "You cannot see the members of this club.")
        members = self._members_as_seen()
        text = _search_text(request)
        if text:
            by_name = Q(user__display_name__icontains=text)
            if not permissions.is_member(request.user, club):
                # Outsiders find a hidden member by username only, as they see them.
                by_name &= Q(user__in=User.objects.filter(profile_visible_q(request.user)))
            members = members.filter(Q(user__username__icontains=text) | by_name)
        page = with_profile_visibility(self.paginate_queryset(members))
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    def partial_update(self, request, club_slug=None, username=None):
        club = self.get_club()
        _require(permissions.can_change_roles(request.user, club), "Only the owner can change roles.")
        membership = self.get_object()
        data = MemberRoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_set_role(
            actor=request.user, membership=membership, role=data.validated_data["role"]
        )
        membership = self._members_as_seen().get(pk=membership.pk)
        return Response(MemberSerializer(with_profile_visibility([membership])[0]).data)

    def destroy(self, request, club_slug=None, username=None):
        club = self.get_club()
        _require(
            permissions.is_staff_of(request.user, club), "Only the owner and moderators can remove members."
        )
        membership_remove(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# Join requests -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Requests to join (owner and moderators)",
        description="Pending requests, oldest first; `status` shows decided ones. "
        "`search` matches the username.",
        parameters=[
            CLUB_SLUG,
            OpenApiParameter("status", OpenApiTypes.STR, enum=JoinRequestStatus.values, default="pending"),
            SEARCH_PARAMETER,
        ],
        responses={200: JoinRequestSerializer, **_errors(400, 401, 403, 404)},
    ),
    approve=extend_schema(
        summary="Approve a request: the requester becomes a member",
        parameters=[CLUB_SLUG],
        request=None,
        responses={200: JoinRequestSerializer, **_errors(401, 403, 404, 409)},
    ),
    decline=extend_schema(
        summary="Decline a request",
        parameters=[CLUB_SLUG],
        request=None,
        responses={200: JoinRequestSerializer, **_errors(401, 403, 404, 409)},
    ),
)
class JoinRequestViewSet(ClubChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = JoinRequestSerializer
    permission_classes = [IsAuthenticated]

    def get_club(self) -> Club:
        club = super().get_club()
        _require(
            permissions.can_manage_join_requests(self.request.user, club),
            "Only the owner and moderators see requests to join.",
        )
        return club

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JoinRequest.objects.none()
        # No club rule here: a requester is not a member yet, so only the profile rule names them.
        return annotate_profile_visibility(
            self.get_club().join_requests.select_related("user"), self.request.user
        )

    def get_object(self) -> JoinRequest:
        join_request = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        join_request.club = self.get_club()
        return join_request

    def list(self, request, club_slug=None):
        query = JoinRequestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        join_requests = self.get_queryset().filter(status=query.validated_data["status"])
        text = query.validated_data.get("search", "").strip()
        if text:
            join_requests = join_requests.filter(user__username__icontains=text)
        page = with_profile_visibility(self.paginate_queryset(join_requests))
        return self.get_paginated_response(JoinRequestSerializer(page, many=True).data)

    def _decided(self, join_request: JoinRequest) -> Response:
        [decided] = with_profile_visibility([self.get_queryset().get(pk=join_request.pk)])
        return Response(JoinRequestSerializer(decided).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, club_slug=None, pk=None):
        join_request = self.get_object()
        join_request_approve(actor=request.user, join_request=join_request)
        return self._decided(join_request)

    @action(detail=True, methods=["post"])
    def decline(self, request, club_slug=None, pk=None):
        join_request = self.get_object()
        join_request_decline(actor=request.user, join_request=join_request)
        return self._decided(join_request)
