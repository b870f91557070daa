"""meetings/{id}/reviews/: the club's ratings of the meeting's book (members), and the caller's own."""

from django.db.models import Avg, Count
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from booky.core.api import error_responses, require
from meetings import permissions, services
from meetings.api_scope import MEETING_ID, MeetingChildMixin
from meetings.models import REVIEW_MAX_LENGTH, MeetingReview


class ReviewSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = MeetingReview
        fields = ["username", "rating", "review", "updated_at"]


class ReviewInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    review = serializers.CharField(max_length=REVIEW_MAX_LENGTH, required=False, allow_blank=True, default="")


class ReviewsSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    mine = ReviewSerializer(allow_null=True)
    reviews = ReviewSerializer(many=True)


def _reviews_response(meeting, user, *, status_code=status.HTTP_200_OK) -> Response:
    rows = list(MeetingReview.objects.filter(meeting=meeting).select_related("user"))
    summary = MeetingReview.objects.filter(meeting=meeting).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    mine = next((row for row in rows if row.user_id == user.pk), None)
    data = {
        "average": summary["average"],
        "count": summary["count"],
        "mine": ReviewSerializer(mine).data if mine else None,
        "reviews": ReviewSerializer(rows, many=True).data,
    }
    return Response(data, status=status_code)


class MeetingReviewViewSet(MeetingChildMixin, viewsets.GenericViewSet):
    @extend_schema(
        summary="The club's ratings of the meeting's book (members)",
        parameters=[MEETING_ID],
        responses={200: ReviewsSerializer, **error_responses(401, 403, 404)},
        methods=["GET"],
    )
    @extend_schema(
        summary="Rate the book (1–5) with an optional review, once the meeting has started (members)",
        parameters=[MEETING_ID],
        request=ReviewInputSerializer,
        responses={200: ReviewsSerializer, **error_responses(400, 401, 403, 404)},
        methods=["PUT"],
    )
    @extend_schema(
        summary="Take back your rating",
        parameters=[MEETING_ID],
        responses={204: None, **error_responses(401, 403, 404)},
        methods=["DELETE"],
    )
    @action(detail=True, methods=["get", "put", "delete"])
    def reviews(self, request, pk=None):
        meeting = self.get_meeting()
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        require(
            permissions.can_read_reviews(request.user, meeting), "The club's ratings are for its members."
        )
        if request.method == "PUT":
            data = ReviewInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.review_save(user=request.user, meeting=meeting, **data.validated_data)
        elif request.method == "DELETE":
            services.review_delete(user=request.user, meeting=meeting)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return _reviews_response(meeting, request.user)
