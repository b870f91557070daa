"""The notifications API: my notifications (all or unread), mark one or all read.

Routes (included by booky/api_urls.py under /api/v1/): `notifications/` (GET, `?unread=1`),
`notifications/{id}/read/` and `notifications/read-all/` (POST). Writes go through
social.notifications; another member's notification is a 404, never a 403, so ids reveal nothing.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from booky.core.api import ErrorSerializer
from booky.core.errors import DomainError
from social import notifications
from social.models import Notification, NotificationKind

TRUE_VALUES = {"1", "true", "yes"}
FALSE_VALUES = {"0", "false", "no", ""}


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "message", "url", "actor", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class ReadAllSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many unread notifications were marked read.")
    unread_count = serializers.IntegerField()


class InvalidFilter(DomainError):
    code = "invalid_filter"


@extend_schema_view(
    list=extend_schema(
        summary="My notifications, newest first",
        parameters=[
            OpenApiParameter(
                "unread",
                OpenApiTypes.BOOL,
                description="1 for unread notifications only; 0 or absent for all.",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows per page (at most 100)."),
        ],
        responses={200: NotificationSerializer(many=True), **_errors(400, 401)},
    )
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        inbox = Notification.objects.filter(recipient=self.request.user).select_related("actor")
        unread = (self.request.query_params.get("unread") or "").strip().lower()
        if unread in TRUE_VALUES:
            return inbox.unread()
        if unread not in FALSE_VALUES:
            raise InvalidFilter("unread must be 1 (unread only) or 0 (all).")
        return inbox

    @extend_schema(
        summary="Mark one of my notifications read",
        request=None,
        responses={200: NotificationSerializer, **_errors(401, 404)},
    )
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, pk=None):
        try:
            notification_id = int(pk)
        except (TypeError, ValueError):
            notification_id = 0
        notification = notifications.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read",
        request=None,
        responses={200: ReadAllSerializer, **_errors(401)},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = notifications.notifications_mark_all_read(user=request.user)
        return Response({"marked_read": count, "unread_count": notifications.unread_count(request.user)})


router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="api-notification")
urlpatterns = router.urls
