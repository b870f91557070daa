"""polls/{id}/schedule/: the one step from a closed poll's winner to the club's next meeting. A meetings
route (the meeting is meetings'), named like the poll's own actions (api-poll-schedule)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import get_object_or_404

from booky.core.api import error_responses, require
from clubs.models import Club, Poll
from clubs.permissions import is_staff_of
from clubs.polls.api_scope import POLL_ID
from meetings import services
from meetings.api_scope import meeting_response
from meetings.models import MAX_DURATION_MINUTES, validate_http_url
from meetings.serializers import MeetingSerializer


class ScheduleWinnerSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MAX_DURATION_MINUTES, default=120)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    online_link = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default="", validators=[validate_http_url]
    )

    def validate(self, data):
        if not data["place"].strip() and not data["online_link"].strip():
            raise serializers.ValidationError({"place": ["Give a place, an online link, or both."]})
        return data


class PollScheduleViewSet(viewsets.GenericViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        return Poll.objects.filter(club__in=Club.objects.visible_to(self.request.user)).select_related(
            "club", "winner__book"
        )

    @extend_schema(
        summary="Schedule a closed poll's winner as the club's next meeting (owner and moderators)",
        description="Once per poll (409 `already_scheduled`); 400 `no_winner` when nobody voted. The target "
        "is the whole book; edit the meeting for the rest.",
        parameters=[POLL_ID],
        request=ScheduleWinnerSerializer,
        responses={201: MeetingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        poll = get_object_or_404(self.get_queryset(), pk=pk)
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        require(
            is_staff_of(request.user, poll.club), "Only the club's owner and moderators schedule meetings."
        )
        data = ScheduleWinnerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_schedule_poll_winner(actor=request.user, poll=poll, **data.validated_data)
        return meeting_response(meeting, request, status_code=status.HTTP_201_CREATED)
