"""The meetings API: serializers and viewsets. Every write goes through meetings.services.

Role checks happen here before input is validated, so a caller without the right role gets 403
whatever they send; the services check again. A private club's meetings are 404 to outsiders.

Optimistic locking: a meeting's (and a member's progress's) `version` is its ETag. PATCH needs the
version the client last saw, in `If-Match` or a `version` field, and answers 409 with the current
values when someone else changed the meeting in between. Progress takes the version optionally.
"""

import datetime
import re
from collections.abc import Mapping

from django.db.models import Exists, OuterRef, Prefetch, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from booky.core.api import ErrorSerializer, require_changes
from booky.core.errors import DomainError, NotAllowed
from booky.core.numbers import StrictIntegerApiField, StrictModelSerializer
from clubs.api_scope import CLUB_SLUG, ClubChildMixin
from clubs.models import Membership
from meetings import permissions, services
from meetings.models import Attendance, FinishStatus, Meeting, MeetingStatus, Rsvp
from meetings.services import MEETING_EDITABLE_FIELDS, StaleVersion
from social.permissions import annotate_profile_visibility, with_profile_visibility

UTC = datetime.UTC
# W/"3", "3" or a bare 3: the version this API hands out as the ETag.
ETAG_PATTERN = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


class PreconditionRequired(DomainError):
    status_code = 428
    code = "version_required"


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


def etag(version: int) -> str:
    # Weak: the body also carries per-viewer data (your RSVP), the version names the meeting's state.
    return f'W/"{version}"'


def expected_version(request, body_version: int | None) -> int | None:
    """The version the client last saw, from `If-Match` or the body's `version`; they must agree."""
    header = request.headers.get("If-Match", "").strip()
    header_version = None
    if header:
        match = ETAG_PATTERN.match(header)
        if not match:
            raise DomainError(
                'If-Match must be the ETag this API returned, e.g. W/"3".', code="invalid_if_match"
            )
        header_version = int(match.group(1))
    if header_version is not None and body_version is not None and header_version != body_version:
        raise DomainError("If-Match and the version field name different versions.", code="version_mismatch")
    return header_version if header_version is not None else body_version


# Fields --------------------------------------------------------------------------------------------


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset in, UTC out: a time without an offset is ambiguous and refused."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip()) if len(value) < 64 else None
            except ValueError:  # well formed but impossible, e.g. minute 60: DRF's own message follows
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                raise serializers.ValidationError(
                    "Give the time with its UTC offset, e.g. 2026-05-01T19:00:00+02:00 or ...Z.",
                    code="naive_datetime",
                )
        return super().to_internal_value(value)


@extend_schema_field({"type": "string", "enum": list(MeetingStatus.values)})
class MeetingStatusField(serializers.CharField):
    """A plain string in the schema's own words (a second `status` enum would clash with join requests')."""


# Documented as the same RsvpEnum as the answers read back; a CharField so the service words the error.
@extend_schema_field(serializers.ChoiceField(choices=Rsvp.choices))
class RsvpInputField(serializers.CharField):
    pass


FINISH_STATUS_HELP = (
    "`in_time`: reached the target page at or before the meeting's start; only these are finishers of "
    "the race (bets and the finishing award). `late`: reached it after the start; recorded, but counts "
    "for nothing. null: not finished. `finished` is true in both cases."
)


@extend_schema_field(
    {"type": "string", "enum": list(FinishStatus.values), "nullable": True, "description": FINISH_STATUS_HELP}
)
class FinishStatusField(serializers.ReadOnlyField):
    """Attendance.finish_status: the one rule deciding who finished the race."""

    def __init__(self, **kwargs):
        super().__init__(help_text=FINISH_STATUS_HELP, **kwargs)


# Serializers ---------------------------------------------------------------------------------------


class MeetingBookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    authors = serializers.ListField(child=serializers.CharField(), read_only=True)
    page_count = serializers.IntegerField(read_only=True, allow_null=True)
    cover_url = serializers.CharField(read_only=True)


class MyAttendanceSerializer(serializers.ModelSerializer):
    """Your own RSVP and progress; `version` is what PUT progress takes as If-Match."""

    percent = serializers.SerializerMethodField(help_text="Your page as a percent of the target page.")
    finished_at = AwareDateTimeField(read_only=True, allow_null=True)
    finish_status = FinishStatusField()

    class Meta:
        model = Attendance
        fields = [
            "rsvp",
            "current_page",
            "percent",
            "finished",
            "finished_at",
            "finish_status",
            "checked_in",
            "version",
        ]
        read_only_fields = fields

    def get_percent(self, attendance: Attendance) -> int:
        return attendance.percent_of(attendance.meeting.target_page)


class MeetingSerializer(serializers.ModelSerializer):
    club = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The club's slug.")
    club_name = serializers.CharField(source="club.name", read_only=True)
    book = MeetingBookSerializer(read_only=True)
    display_title = serializers.CharField(read_only=True, help_text="The title, or the book's title.")
    starts_at = AwareDateTimeField(read_only=True)
    ends_at = AwareDateTimeField(read_only=True)
    status = MeetingStatusField(read_only=True)
    going_count = serializers.IntegerField(read_only=True, help_text="Members who answered going.")
    my_attendance = serializers.SerializerMethodField(
        help_text="Your RSVP and progress; null if you have not answered or are not a member."
    )
    version = serializers.IntegerField(read_only=True, help_text="Send it back as If-Match (or `version`).")
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text="The meeting's page on Booky."
    )
    place = serializers.CharField(
        read_only=True, allow_null=True, help_text="Where the club meets; null unless you are a member."
    )
    online_link = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The call's address, or empty; null unless you are a member.",
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "club",
            "club_name",
            "book",
            "title",
            "display_title",
            "description",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "place",
            "online_link",
            "target_page",
            "status",
            "cancel_reason",
            "going_count",
            "my_attendance",
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, meeting: Meeting):
        data = super().to_representation(meeting)
        # meetings_for() reads `viewer_is_member` with the meeting; a meeting read without it tells
        # nobody where (failing closed, so a new caller cannot leak a member's home by forgetting).
        if not getattr(meeting, "viewer_is_member", False):
            data.update(place=None, online_link=None)
        return data

    @extend_schema_field(MyAttendanceSerializer(allow_null=True))
    def get_my_attendance(self, meeting: Meeting) -> dict | None:
        mine = getattr(meeting, "my_attendances", None)
        if not mine:
            return None
        mine[0].meeting = meeting
        return MyAttendanceSerializer(mine[0]).data


class MeetingInputSerializer(StrictModelSerializer):
    """The fields a host sets. Type checks here; the services own the rules (future start, target page)."""

    starts_at = AwareDateTimeField(help_text="ISO 8601 with a UTC offset; stored and returned in UTC.")
    target_page = StrictIntegerApiField(
        required=False, allow_null=True, help_text="1..the book's page count; defaults to the page count."
    )

    class Meta:
        model = Meeting
        fields = list(MEETING_EDITABLE_FIELDS)


class MeetingPatchSerializer(MeetingInputSerializer):
    version = StrictIntegerApiField(
        required=False, min_value=1, help_text="The version you last saw; or send it as If-Match."
    )

    class Meta(MeetingInputSerializer.Meta):
        fields = [*MEETING_EDITABLE_FIELDS, "version"]


# A 409 is `stale_version` (with `current`) or another conflict, e.g. the meeting is not scheduled.
class StaleMeetingSerializer(ErrorSerializer):
    current = MeetingSerializer(required=False, help_text="With `stale_version`: the meeting as it is now.")


class StaleAttendanceSerializer(ErrorSerializer):
    current = MyAttendanceSerializer(
        required=False, help_text="With `stale_version`: your progress as it is saved now."
    )


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Members see it on the meeting page."
    )


class AttendeeSerializer(serializers.ModelSerializer):
    """An attendee as the viewer may see them: outsiders of the club get no display name for a member
    whose profile is hidden from them (`display_name` null and `"hidden": true`, a key present only then)."""

    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(
        source="user.name", read_only=True, allow_null=True, help_text="null when hidden from you."
    )
    hidden = serializers.BooleanField(
        read_only=True, required=False, help_text="Present (true) only when the profile is hidden from you."
    )
    percent = serializers.SerializerMethodField(help_text="The page as a percent of the target page.")
    finished_at = AwareDateTimeField(read_only=True, allow_null=True)
    finish_status = FinishStatusField()

    class Meta:
        model = Attendance
        fields = [
            "username",
            "display_name",
            "rsvp",
            "current_page",
            "percent",
            "finished",
            "finished_at",
            "finish_status",
            "checked_in",
            "hidden",
        ]
        read_only_fields = fields

    def to_representation(self, attendance):
        data = super().to_representation(attendance)
        data.pop("hidden", None)
        if not getattr(attendance.user, "profile_visible", True):
            data.update(display_name=None, hidden=True)
        return data

    def get_percent(self, attendance: Attendance) -> int:
        return attendance.percent_of(self.context["meeting"].target_page)


class RsvpInputSerializer(serializers.Serializer):
    # The same name as in `my_attendance` and the attendee list: what you write is what you read back.
    rsvp = RsvpInputField(max_length=20, help_text="going, maybe or declined.")


class ProgressInputSerializer(serializers.Serializer):
    current_page = StrictIntegerApiField(required=False, help_text="0..the meeting's target page.")
    finished = serializers.BooleanField(required=False, help_text="true: you reached the target page.")
    version = StrictIntegerApiField(
        required=False, min_value=1, help_text="Your progress version you last saw; or send it as If-Match."
    )

    def validate(self, data):
        if "current_page" in data and data.get("finished") is True:
            raise serializers.ValidationError("Send either current_page or finished, not both.")
        if "current_page" not in data and data.get("finished") is not True:
            raise serializers.ValidationError("Give the page you are on, or send finished: true.")
        return data


class CheckInInputSerializer(serializers.Serializer):
    usernames = serializers.ListField(
        child=serializers.CharField(max_length=150), allow_empty=False, max_length=1000
    )


class CheckedInSerializer(serializers.Serializer):
    checked_in = serializers.ListField(child=serializers.CharField(), help_text="Usernames checked in.")


class WhenQuerySerializer(serializers.Serializer):
    when = serializers.ChoiceField(choices=["upcoming", "past"], default="upcoming")


# Reads ---------------------------------------------------------------------------------------------


def meetings_for(user):
    """Meetings the user may see, with club and book, the going count, the user's own attendance and
    whether they are a member of the meeting's club (`viewer_is_member`: only members see where)."""
    meetings = Meeting.objects.visible_to(user).with_page_data()
    if user is None or not user.is_authenticated:
        return meetings.annotate(viewer_is_member=Value(False))
    mine = Prefetch("attendances", queryset=Attendance.objects.filter(user=user), to_attr="my_attendances")
    member = Membership.objects.filter(club=OuterRef("club"), user=user)
    return meetings.prefetch_related(mine).annotate(viewer_is_member=Exists(member))


def _meeting_response(meeting: Meeting, request, *, status_code: int = status.HTTP_200_OK) -> Response:
    fresh = meetings_for(request.user).get(pk=meeting.pk)
    response = Response(MeetingSerializer(fresh).data, status=status_code)
    response["ETag"] = etag(fresh.version)
    return response


def _attendance_response(attendance: Attendance, meeting: Meeting) -> Response:
    attendance.meeting = meeting
    response = Response(MyAttendanceSerializer(attendance).data)
    response["ETag"] = etag(attendance.version)
    return response


def _stale_response(error: StaleVersion, request) -> Response:
    if isinstance(error.current, Meeting):
        current = MeetingSerializer(meetings_for(request.user).get(pk=error.current.pk)).data
        version = error.current.version
    else:
        current = MyAttendanceSerializer(
            Attendance.objects.select_related("meeting").get(pk=error.current.pk)
        ).data
        version = error.current.version
    response = Response(
        {"detail": error.message, "code": error.code, "current": current}, status=status.HTTP_409_CONFLICT
    )
    response["ETag"] = etag(version)
    return response


MEETING_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The meeting's id.")
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag you got, e.g. W/"3". Or send the `version` field instead.',
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 409],
    description='The version of what the answer shows, e.g. W/"3": send it back as If-Match.',
)


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
        responses={200: MeetingSerializer, **_errors(400, 404)},
    ),
    create=extend_schema(
        summary="Schedule a meeting (owner and moderators)",
        description="`starts_at` needs a UTC offset and must be in the future; `target_page` defaults to "
        "the book's page count.",
        parameters=[CLUB_SLUG],
        request=MeetingInputSerializer,
        responses={201: MeetingSerializer, **_errors(400, 401, 403, 404)},
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
        _require(
            permissions.can_manage_meetings(request.user, club),
            "Only the owner and moderators can schedule meetings.",
        )
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_create(actor=request.user, club=club, **data.validated_data)
        return _meeting_response(meeting, request, status_code=status.HTTP_201_CREATED)


# One meeting ---------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="One meeting",
        parameters=[MEETING_ID, ETAG],
        responses={200: MeetingSerializer, **_errors(404)},
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
            **_errors(400, 401, 403, 404, 428),
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
        responses={200: MeetingSerializer, **_errors(400, 401, 403, 404, 409)},
    ),
)
class MeetingViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return meetings_for(self.request.user)

    def get_meeting(self) -> Meeting:
        if not hasattr(self, "_meeting"):
            self._meeting = get_object_or_404(
                Meeting.objects.visible_to(self.request.user).select_related("club", "book"),
                pk=self.kwargs["pk"],
            )
        return self._meeting

    def _require_host(self) -> Meeting:
        meeting = self.get_meeting()
        _require(
            permissions.can_manage_meeting(self.request.user, meeting),
            "Only the owner and moderators can do that.",
        )
        return meeting

    def retrieve(self, request, pk=None):
        meeting = get_object_or_404(self.get_queryset(), pk=pk)
        response = Response(MeetingSerializer(meeting).data)
        response["ETag"] = etag(meeting.version)
        return response

    def partial_update(self, request, pk=None):
        meeting = self._require_host()
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
            return _stale_response(stale, request)
        return _meeting_response(meeting, request)

    def destroy(self, request, pk=None):
        meeting = self._require_host()
        if not isinstance(request.data, Mapping):
            raise DomainError('Send a JSON object, e.g. {"reason": "..."}, or nothing.', code="invalid")
        reason = request.data.get("reason", request.query_params.get("reason", ""))
        data = CancelInputSerializer(data={"reason": reason})
        data.is_valid(raise_exception=True)
        meeting = services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=data.validated_data["reason"]
        )
        return _meeting_response(meeting, request)

    @extend_schema(
        summary="Mark a meeting that has started as completed (owner and moderators)",
        parameters=[MEETING_ID],
        request=None,
        responses={200: MeetingSerializer, **_errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        meeting = services.meeting_complete(actor=request.user, meeting=self._require_host())
        return _meeting_response(meeting, request)

    @extend_schema(
        summary="Who answered, and how far each has read",
        description="Members who RSVPed, furthest reader first.",
        parameters=[MEETING_ID],
        responses={200: AttendeeSerializer(many=True), **_errors(404)},
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
        responses={200: MyAttendanceSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["put"])
    def rsvp(self, request, pk=None):
        meeting = self.get_meeting()
        _require(permissions.can_take_part(request.user, meeting), "Only members of the club can answer.")
        data = RsvpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = services.attendance_rsvp(
            user=request.user, meeting=meeting, rsvp=data.validated_data["rsvp"]
        )
        return _attendance_response(attendance, meeting)

    @extend_schema(
        summary="Record your own reading progress (members)",
        description="`current_page` 0..target page, or `finished: true`. Optionally the progress version "
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
            **_errors(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["put"])
    def progress(self, request, pk=None):
        meeting = self.get_meeting()
        _require(
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
            return _stale_response(stale, request)
        return _attendance_response(attendance, meeting)

    @extend_schema(
        summary="Check in who came (owner and moderators; once the meeting has started)",
        parameters=[MEETING_ID],
        request=CheckInInputSerializer,
        responses={200: CheckedInSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, pk=None):
        meeting = self._require_host()
        data = CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checked = services.meeting_check_in(
            actor=request.user, meeting=meeting, usernames=data.validated_data["usernames"]
        )
        return Response({"checked_in": checked})


# My meetings ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Your upcoming meetings",
        description="Scheduled meetings of all your clubs, soonest first, with your RSVP and progress.",
        responses={200: MeetingSerializer, **_errors(401)},
    ),
)
class MyMeetingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MeetingSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return meetings_for(self.request.user).of_member(self.request.user).upcoming()
