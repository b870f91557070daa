"""Requests to join a club, as its owner and moderators see them: the list, approve, decline."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from booky.core.api import error_responses, require
from clubs import permissions
from clubs.api_scope import CLUB_SLUG, SEARCH_PARAMETER, ClubChildMixin
from clubs.models import Club, JoinRequest, JoinRequestStatus
from clubs.serializers import JoinRequestQuerySerializer, JoinRequestSerializer
from clubs.services import join_request_approve, join_request_decline
from social.permissions import annotate_profile_visibility, with_profile_visibility


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
        responses={200: JoinRequestSerializer, **error_responses(400, 401, 403, 404)},
    ),
    approve=extend_schema(
        summary="Approve a request: the requester becomes a member",
        parameters=[CLUB_SLUG],
        request=None,
        responses={200: JoinRequestSerializer, **error_responses(401, 403, 404, 409)},
    ),
    decline=extend_schema(
        summary="Decline a request",
        parameters=[CLUB_SLUG],
        request=None,
        responses={200: JoinRequestSerializer, **error_responses(401, 403, 404, 409)},
    ),
)
class JoinRequestViewSet(ClubChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = JoinRequestSerializer
    permission_classes = [IsAuthenticated]

    def get_club(self) -> Club:
        club = super().get_club()
        require(
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
