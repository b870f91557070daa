"""Recurring meetings over the API: make a meeting repeat (meetings/{id}/series/), read a series and
stop it (series/{id}/). Each meeting of a series is created one at a time, with its own book, race
and bets; the same services as the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from booky.core.api import error_responses, require
from clubs.models import Club
from meetings import permissions, services
from meetings.api_scope import MEETING_ID, MeetingChildMixin
from meetings.models import MeetingSeries

SERIES_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The series' id.")


class SeriesSerializer(serializers.ModelSerializer):
    club = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    description = serializers.SerializerMethodField(help_text='"Every 2nd Tuesday at 19:00"...')
    meetings = serializers.SerializerMethodField(
        help_text="Ids of the meetings created so far, latest first."
    )

    class Meta:
        model = MeetingSeries
        fields = ["id", "club", "description", "rrule", "timezone", "days_ahead", "active", "meetings"]
        read_only_fields = fields

    def get_description(self, series) -> str:
        return services.series_description(series)

    def get_meetings(self, series) -> list[int]:
        return list(series.meetings.order_by("-starts_at").values_list("pk", flat=True)[:100])


class SeriesStartSerializer(serializers.Serializer):
    repeat = serializers.ChoiceField(choices=list(services.REPEAT_CHOICES))
    days_ahead = serializers.IntegerField(
        min_value=1, max_value=90, default=14, help_text="Create the next meeting this many days before it."
    )


class MeetingSeriesViewSet(MeetingChildMixin, viewsets.GenericViewSet):
    @extend_schema(
        summary="Make this meeting the first of a series (owner and moderators)",
        parameters=[MEETING_ID],
        request=SeriesStartSerializer,
        responses={201: SeriesSerializer, **error_responses(400, 401, 403, 404, 409)},
        methods=["POST"],
    )
    @extend_schema(
        summary="This and the following meetings: the series takes this meeting's day, time and place",
        parameters=[MEETING_ID],
        request=None,
        responses={200: SeriesSerializer, **error_responses(401, 403, 404)},
        methods=["PUT"],
    )
    @action(detail=True, methods=["post", "put"], url_path="series")
    def series(self, request, pk=None):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        meeting = self.require_host()
        if request.method == "PUT":
            series = services.series_update_from(actor=request.user, meeting=meeting)
            return Response(SeriesSerializer(series).data)
        data = SeriesStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        series = services.series_start(actor=request.user, meeting=meeting, **data.validated_data)
        return Response(SeriesSerializer(series).data, status=status.HTTP_201_CREATED)


class SeriesViewSet(viewsets.GenericViewSet):
    serializer_class = SeriesSerializer

    def get_queryset(self):
        return MeetingSeries.objects.filter(club__in=Club.objects.visible_to(self.request.user)).order_by(
            "pk"
        )

    @extend_schema(
        summary="A series: when it repeats and its meetings so far",
        parameters=[SERIES_ID],
        responses={200: SeriesSerializer, **error_responses(404)},
    )
    def retrieve(self, request, pk=None):
        return Response(SeriesSerializer(self.get_object()).data)

    @extend_schema(
        summary="Stop the series: no more meetings are created (owner and moderators)",
        parameters=[SERIES_ID],
        request=None,
        responses={200: SeriesSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        series = get_object_or_404(self.get_queryset().select_related("club"), pk=pk)
        require(
            permissions.can_manage_meetings(request.user, series.club),
            "Only the owner and moderators stop a series.",
        )
        series = services.series_stop(actor=request.user, series=series)
        return Response(SeriesSerializer(series).data)
