from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from social.models import User
from social.services import user_update_profile


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "display_name", "bio", "timezone", "date_joined"]
        read_only_fields = fields


class ProfileInputSerializer(serializers.Serializer):
    """Type checks only; the service owns the rules (lengths, time zone names, null characters)."""

    display_name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    bio = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    timezone = serializers.CharField(required=False, trim_whitespace=False)


class MeView(GenericAPIView):
    """The logged-in member's own account."""

    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=ProfileInputSerializer, responses=MeSerializer)
    def patch(self, request):
        data = ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        changes = {"display_name": user.display_name, "bio": user.bio, "timezone": user.timezone} | dict(
            data.validated_data
        )
        user = user_update_profile(user=user, **changes)
        return Response(MeSerializer(user).data)
