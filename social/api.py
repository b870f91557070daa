from rest_framework import permissions, serializers
from rest_framework.generics import RetrieveAPIView

from social.models import User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "display_name", "bio", "timezone", "date_joined"]
        read_only_fields = fields


class MeView(RetrieveAPIView):
    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        return self.request.user
