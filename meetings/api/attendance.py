"""A meeting's attendance: who answered and how far each has read, your RSVP and reading progress,
and checking in who came. Routes under meetings/{id}/, beside the meeting's own (meetings.api.meetings)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from booky.core.api import error_responses, require
from booky.core.etags import ETAG, IF_MATCH, expected_version
from clubs.visibility import annotate_profile_visibility
from meetings import permissions, services
from meetings.api_scope import MEETING_ID, MeetingChildMixin, attendance_response, stale_response
from meetings.serializers import (
    AttendeeSerializer,
    CheckedInSerializer,
    CheckInInputSerializer,
    MyAttendanceSerializer,
    ProgressInputSerializer,
    RsvpInputSerializer,
    StaleAttendanceSerializer,
)
from meetings.services import StaleVersion
from social.permissions import with_profile_visibility


class MeetingAttendanceViewSet(MeetingChildMixin, viewsets.GenericViewSet):
    @extend_schema(
        summary="Who answered, and how far each has read",
        description="Members who RSVPed, furthest reader first.",
        parameters=[MEETING_ID],
        responses={200: AttendeeSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"])
    def attendees(self, request, pk=None):
        meeting = self.get_meeting()
        attendances = meeting.attendances.select_related("user").order_by(
            "-current_page", "finished_at", "user__username"
        )
        attendances = annotate_profile_visibility(attendances, request.user, club=meeting.club)
        page = with_profile_visibility(self.paginate_queryset(attendances))
        serializer = AttendeeSerializer(page, many=True, context={"meeting": meeting})
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="Answer going, maybe or declined (members; until the meeting starts)",
        parameters=[MEETING_ID],
        request=RsvpInputSerializer,
        responses={200: MyAttendanceSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["put"])
    def rsvp(self, request, pk=None):
        meeting = self.get_meeting()
        require(permissions.can_take_part(request.user, meeting), "Only members of the club can answer.")
        data = RsvpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = services.attendance_rsvp(
            user=request.user, meeting=meeting, rsvp=data.validated_data["rsvp"]
        )
        return attendance_response(attendance, meeting)

    @extend_schema(
        summary="Record your own reading progress (members)",
        description="`current_page` 0..target page, or `own_edition_percent` 0..100 (how far you are in "
        "an edition with other page numbers: kept, and counted as that fraction of the club's book), or "
        "`finished: true`; one of them. Optionally the progress version "
        "you last saw (If-Match or `version`): 409 `stale_version` with `current` when it changed since. "
        "After the meeting started a finish is still recorded, as `finish_status: late` (it wins nothing); "
        "an in-time finish can then no longer be changed: 409 `race_decided`.",
        parameters=[MEETING_ID, IF_MATCH, ETAG],
        request=ProgressInputSerializer,
        responses={
            200: MyAttendanceSerializer,
            409: OpenApiResponse(
                StaleAttendanceSerializer,
                description="Stale version (with `current`), not scheduled, or race decided.",
            ),
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["put"])
    def progress(self, request, pk=None):
        meeting = self.get_meeting()
        require(
            permissions.can_take_part(request.user, meeting),
            "Only members of the club can record progress.",
        )
        data = ProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = expected_version(request, values.pop("version", None))
        try:
            attendance = services.attendance_progress(
                user=request.user, meeting=meeting, expected_version=version, **values
            )
        except StaleVersion as stale:
            return stale_response(stale, request)
        return attendance_response(attendance, meeting)

    @extend_schema(
        summary="Check in who came (owner and moderators; once the meeting has started)",
        parameters=[MEETING_ID],
        request=CheckInInputSerializer,
        responses={200: CheckedInSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, pk=None):
        meeting = self.require_host()
        data = CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checked = services.meeting_check_in(
            actor=request.user, meeting=meeting, usernames=data.validated_data["usernames"]
        )
        return Response({"checked_in": checked})
