"""Members of a club: the list (owner first), one member, their role, and removing them."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from booky.core.api import error_responses, require
from clubs import permissions
from clubs.api_scope import CLUB_SLUG, SEARCH_PARAMETER, ClubChildMixin, search_text
from clubs.models import Membership
from clubs.serializers import MemberRoleInputSerializer, MemberSerializer
from clubs.services import membership_remove, membership_set_role
from clubs.visibility import annotate_profile_visibility
from social.models import User
from social.permissions import profile_visible_q, with_profile_visibility


@extend_schema_view(
    list=extend_schema(
        summary="Members of a club, owner first",
        description="`search` matches username and display name.",
        parameters=[CLUB_SLUG, SEARCH_PARAMETER],
        responses={200: MemberSerializer, **error_responses(400, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One member of a club",
        parameters=[CLUB_SLUG],
        responses={200: MemberSerializer, **error_responses(404)},
    ),
    partial_update=extend_schema(
        summary="Make a member a moderator, or a moderator a member (owner)",
        parameters=[CLUB_SLUG],
        request=MemberRoleInputSerializer,
        responses={200: MemberSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Remove a member (owner; moderators remove plain members)",
        parameters=[CLUB_SLUG],
        responses={204: None, **error_responses(401, 403, 404, 409)},
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
        require(permissions.can_view_members(request.user, club), "You cannot see the members of this club.")
        members = self._members_as_seen()
        text = search_text(request)
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
        require(permissions.can_change_roles(request.user, club), "Only the owner can change roles.")
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
        require(
            permissions.is_staff_of(request.user, club), "Only the owner and moderators can remove members."
        )
        membership_remove(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
