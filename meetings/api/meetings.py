"""Meetings: a club's meetings and scheduling one, one meeting (read, edit, cancel, complete), and
your upcoming meetings."""

from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from booky.core.api import error_responses, require, require_changes
from booky.core.errors import DomainError
from booky.core.etags import ETAG, IF_MATCH, PreconditionRequired, etag, expected_version
from clubs.api_scope import CLUB_SLUG, ClubChildMixin
from meetings import permissions, services
from meetings.api_scope import MEETING_ID, MeetingChildMixin, meeting_response, meetings_for, stale_response
from meetings.models import Meeting
from meetings.serializers import (
    CancelInputSerializer,
    MeetingInputSerializer,
    MeetingPatchSerializer,
    MeetingSerializer,
    StaleMeetingSerializer,
    WhenQuerySerializer,
)
from meetings.services import MEETING_EDITABLE_FIELDS, StaleVersion

# Club meetings -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="A club's meetings",
        description="`when=upcoming` (default): scheduled meetings that have not ended, soonest first. "
        "`when=past`: ended, cancelled or completed meetings, latest first.",
        parameters=[
            CLUB_SLUG,
            OpenApiParameter("when", OpenApiTypes.STR, enum=["upcoming", "past"], default="upcoming"),
        ],
        responses={200: MeetingSerializer, **error_responses(400, 404)},
    ),
    create=extend_schema(
        summary="Schedule a meeting (owner and moderators)",
        description="`starts_at` needs a UTC offset and must be in the future; `target_page` defaults to "
        "the book's page count.",
        parameters=[CLUB_SLUG],
        request=MeetingInputSerializer,
        responses={201: MeetingSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
class ClubMeetingViewSet(ClubChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return meetings_for(self.request.user).filter(club=self.get_club())

    def list(self, request, club_slug=None):
        query = WhenQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        meetings = self.get_queryset()
        meetings = meetings.upcoming() if query.validated_data["when"] == "upcoming" else meetings.past()
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    def create(self, request, club_slug=None):
        club = self.get_club()
        require(
            permissions.can_manage_meetings(request.user, club),
            "Only the owner and moderators can schedule meetings.",
        )
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_create(actor=request.user, club=club, **data.validated_data)
        return meeting_response(meeting, request, status_code=status.HTTP_201_CREATED)


# One meeting ---------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="One meeting",
        parameters=[MEETING_ID, ETAG],
        responses={200: MeetingSerializer, **error_responses(404)},
    ),
    partial_update=extend_schema(
        summary="Edit or reschedule a meeting (owner and moderators)",
        description="Needs the version you last saw, as `If-Match` (the ETag of GET) or a `version` field: "
        "428 without one. 409 `stale_version` when someone else changed the meeting since; "
        "`current` holds the meeting as it is now. 409 `already_started` once the meeting has started. "
        "Moving the start earlier, or changing `target_page` or `book`, refunds every open bet on the "
        "meeting (each bettor is notified why and may bet again).",
        parameters=[MEETING_ID, IF_MATCH, ETAG],
        request=MeetingPatchSerializer,
        responses={
            200: MeetingSerializer,
            409: OpenApiResponse(StaleMeetingSerializer, description="Stale version, or not scheduled."),
            **error_responses(400, 401, 403, 404, 428),
        },
    ),
    destroy=extend_schema(
        summary="Cancel a meeting (owner and moderators)",
        description="The meeting stays, as cancelled; `reason` (body or query) is shown to members; every "
        "open stake is refunded. 409 `already_started` once the meeting has started: it can then only be "
        "completed.",
        parameters=[
            MEETING_ID,
            OpenApiParameter("reason", OpenApiTypes.STR, description="Why it is cancelled."),
        ],
        request=CancelInputSerializer,
        responses={200: MeetingSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class MeetingViewSet(MeetingChildMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def retrieve(self, request, pk=None):
        meeting = get_object_or_404(self.get_queryset(), pk=pk)
        response = Response(MeetingSerializer(meeting).data)
        response["ETag"] = etag(meeting.version)
        return response

    def partial_update(self, request, pk=None):
        meeting = self.require_host()
        data = MeetingPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = expected_version(request, changes.pop("version", None))
        require_changes(changes, MEETING_EDITABLE_FIELDS)
        if version is None:
            raise PreconditionRequired(
                "Say which version you are changing: send If-Match with the ETag you got, or a version "
                "field. This keeps two people from overwriting each other."
            )
        try:
            meeting = services.meeting_update(
                actor=request.user, meeting=meeting, expected_version=version, **changes
            )
        except StaleVersion as stale:
            return stale_response(stale, request)
        return meeting_response(meeting, request)

    def destroy(self, request, pk=None):
        meeting = self.require_host()
        if not isinstance(request.data, Mapping):
            raise DomainError('Send a JSON object, e.g. {"reason": "..."}, or nothing.', code="invalid")
        reason = request.data.get("reason", request.query_params.get("reason", ""))
        data = CancelInputSerializer(data={"reason": reason})
        data.is_valid(raise_exception=True)
        meeting = services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=data.validated_data["reason"]
        )
        return meeting_response(meeting, request)

    @extend_schema(
        summary="Mark a meeting that has started as completed (owner and moderators)",
        parameters=[MEETING_ID],
        request=None,
        responses={200: MeetingSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        meeting = services.meeting_complete(actor=request.user, meeting=self.require_host())
        return meeting_response(meeting, request)


# My meetings ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Your upcoming meetings",
        description="Scheduled meetings of all your clubs, soonest first, with your RSVP and progress.",
        responses={200: MeetingSerializer, **error_responses(401)},
    ),
)
class MyMeetingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return meetings_for(self.request.user).of_member(self.request.user).upcoming()
