"""What the meetings API views share: the meetings a viewer sees (with what each answer shows of
them), the meeting a `meetings/{id}/...` route names, and the answers that carry a version as ETag."""

from django.db.models import Exists, OuterRef, Prefetch, Value
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from booky.core.api import require
from booky.core.etags import etag
from clubs.models import Membership
from meetings import permissions
from meetings.models import Attendance, Meeting
from meetings.serializers import MeetingSerializer, MyAttendanceSerializer
from meetings.services import StaleVersion

MEETING_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The meeting's id.")


def meetings_for(user):
    """Meetings the user may see, with club and book, the going count, the user's own attendance and
    whether they are a member of the meeting's club (`viewer_is_member`: only members see where)."""
    meetings = Meeting.objects.visible_to(user).with_page_data()
    if user is None or not user.is_authenticated:
        return meetings.annotate(viewer_is_member=Value(False))
    mine = Prefetch("attendances", queryset=Attendance.objects.filter(user=user), to_attr="my_attendances")
    member = Membership.objects.filter(club=OuterRef("club"), user=user)
    return meetings.prefetch_related(mine).annotate(viewer_is_member=Exists(member))


# Views of meetings/{id}/ and its actions: the meeting is looked up once, among those the caller sees.
# (A comment, not a docstring: drf-spectacular would make a docstring every operation's description.)
class MeetingChildMixin:
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

    def require_host(self) -> Meeting:
        meeting = self.get_meeting()
        require(
            permissions.can_manage_meeting(self.request.user, meeting),
            "Only the owner and moderators can do that.",
        )
        return meeting


def meeting_response(meeting: Meeting, request, *, status_code: int = status.HTTP_200_OK) -> Response:
    fresh = meetings_for(request.user).get(pk=meeting.pk)
    response = Response(MeetingSerializer(fresh).data, status=status_code)
    response["ETag"] = etag(fresh.version)
    return response


def attendance_response(attendance: Attendance, meeting: Meeting) -> Response:
    attendance.meeting = meeting
    response = Response(MyAttendanceSerializer(attendance).data)
    response["ETag"] = etag(attendance.version)
    return response


def stale_response(error: StaleVersion, request) -> Response:
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
