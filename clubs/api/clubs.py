"""Clubs: the clubs you can see, one club, and joining, leaving and handing it over."""

from django.db.models import CharField, OuterRef, Subquery, Value
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from booky.core.api import ErrorSerializer, error_responses, require, require_changes
from clubs import permissions
from clubs.api_scope import SEARCH_PARAMETER, search_text
from clubs.models import Club, Membership
from clubs.serializers import (
    ClubDetailSerializer,
    ClubInputSerializer,
    ClubSerializer,
    JoinedSerializer,
    JoinInputSerializer,
    JoinRequestSerializer,
    MemberSerializer,
    RequestedSerializer,
    TransferInputSerializer,
)
from clubs.services import (
    club_create,
    club_delete,
    club_join,
    club_leave,
    club_rotate_invite_code,
    club_transfer_ownership,
    club_update,
    join_request_cancel,
)
from social.models import User


def clubs_for(user):
    """Clubs the user may see, with their member count and the user's own role (or None)."""
    # Grouped queries drop Meta.ordering, so the order is spelled out for stable pages.
    clubs = Club.objects.visible_to(user).with_member_count().order_by("name", "pk")
    if user is None or not user.is_authenticated:
        return clubs.annotate(my_role=Value(None, output_field=CharField()))
    role = Membership.objects.filter(club=OuterRef("pk"), user=user).values("role")[:1]
    return clubs.annotate(my_role=Subquery(role))


@extend_schema_view(
    list=extend_schema(
        summary="Clubs you can see",
        description="Public clubs and the private clubs you belong to, by name. "
        "`search` matches name, city and country.",
        parameters=[SEARCH_PARAMETER],
        responses={200: ClubSerializer, **error_responses(400)},
    ),
    retrieve=extend_schema(summary="One club", responses={200: ClubDetailSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Create a club; you become its owner",
        request=ClubInputSerializer,
        responses={
            201: ClubDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="No free address (slug) for this name."),
            **error_responses(400, 401),
        },
    ),
    partial_update=extend_schema(
        summary="Edit a club (owner and moderators)",
        request=ClubInputSerializer,
        responses={200: ClubDetailSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a club (owner)",
        description="409 `club_has_points_history` once points were bet or earned at its meetings: "
        "the points history is kept, so cancel its upcoming meetings instead.",
        responses={204: None, **error_responses(401, 403, 404, 409)},
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
        clubs = self.get_queryset().search(search_text(request))
        page = self.paginate_queryset(clubs)
        return self.get_paginated_response(ClubSerializer(page, many=True).data)

    def create(self, request):
        data = ClubInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        club = club_create(owner=request.user, **data.validated_data)
        return Response(self._detail(club), status=status.HTTP_201_CREATED)

    def partial_update(self, request, slug=None):
        club = self.get_object()
        require(
            permissions.can_edit_club(request.user, club), "Only the owner and moderators can edit this club."
        )
        data = ClubInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        require_changes(data.validated_data, ClubInputSerializer.Meta.fields)
        club = club_update(actor=request.user, club=club, **data.validated_data)
        return Response(self._detail(club))

    def destroy(self, request, slug=None):
        club = self.get_object()
        require(permissions.can_delete_club(request.user, club), "Only the owner can delete this club.")
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
        description="Open clubs add you at once (201). Approval clubs record a request, with your optional "
        "`message`, for the moderators "
        "(202). With the current `invite_code` you join any club at once, private ones included.",
        request=JoinInputSerializer,
        responses={
            201: JoinedSerializer,
            202: RequestedSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    @action(detail=True, methods=["post"])
    def join(self, request, slug=None):
        data = JoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invite_code = data.validated_data.get("invite_code")
        club = self._club_to_join(slug, invite_code)
        outcome = club_join(
            user=request.user, club=club, invite_code=invite_code, message=data.validated_data["message"]
        )
        if outcome.joined:
            body = {"status": "joined", "membership": MemberSerializer(outcome.membership).data}
            return Response(body, status=status.HTTP_201_CREATED)
        body = {"status": "requested", "join_request": JoinRequestSerializer(outcome.join_request).data}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Leave a club",
        description="The owner cannot leave (409): transfer ownership first, or delete the club.",
        request=None,
        responses={204: None, **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, slug=None):
        club_leave(user=request.user, club=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Withdraw your pending request to join",
        request=None,
        responses={204: None, **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["delete"], url_path="join-request", url_name="join-request")
    def cancel_join_request(self, request, slug=None):
        join_request_cancel(user=request.user, club=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Replace the invite code (owner)",
        description="Links with the old code stop working at once.",
        request=None,
        responses={200: ClubDetailSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-invite", url_name="rotate-invite")
    def rotate_invite(self, request, slug=None):
        club = self.get_object()
        require(
            permissions.can_rotate_invite_code(request.user, club),
            "Only the owner can reset the invite link.",
        )
        club = club_rotate_invite_code(actor=request.user, club=club)
        return Response(self._detail(club))

    @extend_schema(
        summary="Hand the club to another member (owner)",
        description="The previous owner stays on as a moderator.",
        request=TransferInputSerializer,
        responses={200: ClubDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, slug=None):
        club = self.get_object()
        require(
            permissions.can_transfer_ownership(request.user, club), "Only the owner can transfer ownership."
        )
        data = TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # No such user is the same mistake as a user outside the club: the service answers 409 not_member.
        new_owner = User.objects.filter(username__iexact=data.validated_data["username"]).first()
        club = club_transfer_ownership(actor=request.user, club=club, new_owner=new_owner)
        return Response(self._detail(club))
