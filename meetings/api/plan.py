"""What the hosts plan around a meeting, over the API: the reading plan (meetings/{id}/plan/), the
announcements to everyone going (meetings/{id}/announcements/), and each member's reminders per club
(me/reminders/). The same services as the pages; the same rules."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from booky.core.api import error_responses
from clubs.models import REMINDER_LEADS, Club, clean_reminder_leads
from meetings import plan, services
from meetings.api_scope import MEETING_ID, MeetingChildMixin
from meetings.models import Attendance, ReminderPreference
from meetings.sections import plan_status_for
from meetings.selectors import reading_plan_of

# --- the reading plan ----------------------------------------------------------------------------


class MilestoneSerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=100_000)
    due = serializers.DateField(help_text="The day (in the meeting's time zone) to reach the page by.")
    label = serializers.CharField(
        max_length=plan.LABEL_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text='e.g. "Part two"',
    )


class PlanInputSerializer(serializers.Serializer):
    milestones = MilestoneSerializer(many=True, max_length=plan.MAX_MILESTONES)


class MyPlanSerializer(serializers.Serializer):
    expected_page = serializers.IntegerField(help_text="Where the plan expects you today.")
    days_behind = serializers.IntegerField(help_text="> 0 behind the plan, < 0 ahead of it.")
    summary = serializers.CharField(help_text='"2 days behind the plan", "On plan"...')
    pages_per_day_needed = serializers.FloatField(
        allow_null=True, help_text="To reach the next milestone on time."
    )
    next_milestone = MilestoneSerializer(allow_null=True)


class PlanSerializer(serializers.Serializer):
    milestones = MilestoneSerializer(many=True)
    set_on = serializers.DateField(allow_null=True, help_text="The day the plan starts from (page 0).")
    target_page = serializers.IntegerField()
    mine = MyPlanSerializer(allow_null=True, help_text="Where you stand (members going; null otherwise).")


def _plan_response(meeting, user) -> Response:
    attendance = (
        Attendance.objects.filter(meeting=meeting, user=user).first() if user.is_authenticated else None
    )
    standing = plan_status_for(meeting, attendance, now=timezone.now())
    data = {
        "milestones": [vars(m) for m in reading_plan_of(meeting)],
        "set_on": meeting.plan_set_on,
        "target_page": meeting.target_page,
        "mine": None
        if standing is None
        else {
            "expected_page": standing.expected_page,
            "days_behind": standing.days_behind,
            "summary": standing.summary,
            "pages_per_day_needed": standing.pages_per_day_needed,
            "next_milestone": vars(standing.next_milestone) if standing.next_milestone else None,
        },
    }
    return Response(PlanSerializer(data).data)


# --- announcements -------------------------------------------------------------------------------


class AnnouncementInputSerializer(serializers.Serializer):
    message = serializers.CharField(
        max_length=500, help_text="Sent to everyone going, in the app and by email."
    )


class AnnouncementSentSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="How many members it reached.")


class MeetingPlanViewSet(MeetingChildMixin, viewsets.GenericViewSet):
    @extend_schema(
        summary="The reading plan, and where you stand against it",
        parameters=[MEETING_ID],
        responses={200: PlanSerializer, **error_responses(404)},
        methods=["GET"],
    )
    @extend_schema(
        summary="Set the reading plan (owner and moderators; an empty list clears it)",
        description="Milestones in any order: each further into the book and later than the one before, "
        "due by the meeting's day, pages up to the target. Bets stay about the target page.",
        parameters=[MEETING_ID],
        request=PlanInputSerializer,
        responses={200: PlanSerializer, **error_responses(400, 401, 403, 404, 409)},
        methods=["PUT"],
    )
    @action(detail=True, methods=["get", "put"])
    def plan(self, request, pk=None):
        meeting = self.get_meeting()
        if request.method == "PUT":
            if not request.user.is_authenticated:
                raise NotAuthenticated()
            self.require_host()
            data = PlanInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            milestones = [plan.Milestone(**milestone) for milestone in data.validated_data["milestones"]]
            meeting = services.meeting_plan_set(actor=request.user, meeting=meeting, milestones=milestones)
        return _plan_response(meeting, request.user)

    @extend_schema(
        summary="Send an announcement to everyone going (owner and moderators; 3 a day)",
        parameters=[MEETING_ID],
        request=AnnouncementInputSerializer,
        responses={201: AnnouncementSentSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def announcements(self, request, pk=None):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        meeting = self.require_host()
        data = AnnouncementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent = services.meeting_announce(
            actor=request.user, meeting=meeting, message=data.validated_data["message"]
        )
        return Response(AnnouncementSentSerializer({"sent": sent}).data, status=status.HTTP_201_CREATED)


# --- reminders -----------------------------------------------------------------------------------

CLUB_SLUG = OpenApiParameter(
    "club_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The club's slug."
)


class ReminderSerializer(serializers.Serializer):
    club = serializers.CharField(help_text="The club's slug.")
    club_name = serializers.CharField()
    leads = serializers.ListField(
        child=serializers.ChoiceField(choices=list(REMINDER_LEADS)),
        help_text="When you are reminded before each meeting: week, day, hour (any of them, or none).",
    )
    uses_club_default = serializers.BooleanField(help_text="True until you choose: the club's own default.")


class ReminderInputSerializer(serializers.Serializer):
    leads = serializers.ListField(
        child=serializers.ChoiceField(choices=list(REMINDER_LEADS)),
        max_length=len(REMINDER_LEADS),
        allow_empty=True,
    )


def _reminder_row(club: Club, chosen: dict) -> dict:
    uses_default = club.pk not in chosen
    leads = clean_reminder_leads(club.reminder_leads if uses_default else chosen[club.pk])
    return {"club": club.slug, "club_name": club.name, "leads": leads, "uses_club_default": uses_default}


class MyReminderViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = ReminderSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "club_slug"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return Club.objects.filter(memberships__user=self.request.user).order_by("name", "pk")

    def _chosen(self) -> dict:
        return dict(ReminderPreference.objects.filter(user=self.request.user).values_list("club_id", "leads"))

    @extend_schema(
        summary="Your reminders for each of your clubs",
        responses={200: ReminderSerializer(many=True), **error_responses(401)},
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        chosen = self._chosen()
        return self.get_paginated_response([_reminder_row(club, chosen) for club in page])

    @extend_schema(
        summary="Choose your reminders for one club's meetings",
        parameters=[CLUB_SLUG],
        request=ReminderInputSerializer,
        responses={200: ReminderSerializer, **error_responses(400, 401, 404)},
    )
    def update(self, request, club_slug=None):
        club = self.get_object()  # among the caller's clubs: another club is 404, as one cannot see
        data = ReminderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reminder_preference_set(user=request.user, club=club, leads=data.validated_data["leads"])
        return Response(ReminderSerializer(_reminder_row(club, self._chosen())).data)
