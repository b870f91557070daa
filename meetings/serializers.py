"""The meetings API's fields and serializers: what a meeting, an attendee and your own attendance read
as, and the input each write takes (type checks only; the rules are meetings.services')."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booky.core.api import ErrorSerializer
from booky.core.numbers import StrictIntegerApiField, StrictModelSerializer
from meetings.models import Attendance, FinishStatus, Meeting, MeetingStatus, Rsvp
from meetings.services import MEETING_EDITABLE_FIELDS

UTC = datetime.UTC


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
    own_edition_percent = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The percent of your own edition you last gave (see PUT progress); null when you gave a page.",
    )
    finished_at = AwareDateTimeField(read_only=True, allow_null=True)
    finish_status = FinishStatusField()

    class Meta:
        model = Attendance
        fields = [
            "rsvp",
            "current_page",
            "percent",
            "own_edition_percent",
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
    timezone = serializers.CharField(
        read_only=True,
        help_text="The IANA time zone the hosts scheduled it in (e.g. America/Toronto); empty when unknown. "
        "`starts_at` is in UTC either way.",
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
            "timezone",
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
        # meetings_for() (meetings.api_scope) reads `viewer_is_member` with the meeting; a meeting read
        # without it tells nobody where (failing closed, so a new caller cannot leak a member's home by
        # forgetting).
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


OWN_EDITION_PERCENT_HELP = (
    "How far you are in your own copy of the book, 0..100, for an edition whose pages differ from the "
    "club's. Booky keeps it and counts it as that fraction of the club's book (up to the target page), "
    "which is your `current_page`."
)
PERCENT_RANGE = "Give a percent of your book from 0 to 100."


class ProgressInputSerializer(serializers.Serializer):
    current_page = StrictIntegerApiField(required=False, help_text="0..the meeting's target page.")
    own_edition_percent = StrictIntegerApiField(
        required=False,
        min_value=0,
        max_value=100,
        help_text=OWN_EDITION_PERCENT_HELP,
        error_messages={"min_value": PERCENT_RANGE, "max_value": PERCENT_RANGE},
    )
    finished = serializers.BooleanField(required=False, help_text="true: you reached the target page.")
    version = StrictIntegerApiField(
        required=False, min_value=1, help_text="Your progress version you last saw; or send it as If-Match."
    )

    def validate(self, data):
        given = [name for name in ("current_page", "own_edition_percent") if name in data]
        if data.get("finished") is True:
            given.append("finished")
        if len(given) > 1:
            raise serializers.ValidationError(
                "Send only one: either current_page, own_edition_percent or finished: true."
            )
        if not given:
            raise serializers.ValidationError(
                "Give the page you are on, a percent of your own edition, or send finished: true."
            )
        return data


class CheckInInputSerializer(serializers.Serializer):
    usernames = serializers.ListField(
        child=serializers.CharField(max_length=150), allow_empty=False, max_length=1000
    )


class CheckedInSerializer(serializers.Serializer):
    checked_in = serializers.ListField(child=serializers.CharField(), help_text="Usernames checked in.")


class WhenQuerySerializer(serializers.Serializer):
    when = serializers.ChoiceField(choices=["upcoming", "past"], default="upcoming")
