"""A member's profile in the API, `users/{username}/`: their clubs, reading, finished books and standing
come from other apps, so the site serves it (routes: booky/site/api_urls.py)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from booky.core.api import ErrorSerializer
from booky.site.profile import profile_for
from social import avatars, selectors
from social.permissions import can_view_profile


class ProfileClubSerializer(serializers.Serializer):
    slug = serializers.CharField(source="club.slug")
    name = serializers.CharField(source="club.name")
    visibility = serializers.CharField(source="club.visibility")
    role = serializers.CharField()


class ReadingSerializer(serializers.Serializer):
    meeting_id = serializers.IntegerField(source="meeting.pk")
    club = serializers.CharField(source="meeting.club.slug")
    book_id = serializers.IntegerField(source="meeting.book.pk")
    book_title = serializers.CharField(source="meeting.book.title")
    starts_at = serializers.DateTimeField(source="meeting.starts_at")
    current_page = serializers.IntegerField()
    target_page = serializers.IntegerField(source="meeting.target_page")
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()


class FinishedBookSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    last_finished = serializers.DateTimeField()


class ProfileSerializer(serializers.Serializer):
    username = serializers.CharField(source="person.username")
    display_name = serializers.CharField(source="person.display_name")
    bio = serializers.CharField(source="person.bio")
    avatar_url = serializers.SerializerMethodField()
    date_joined = serializers.DateTimeField(source="person.date_joined")
    relationship = serializers.SerializerMethodField()
    points = serializers.IntegerField()
    rank = serializers.IntegerField(allow_null=True, help_text="1 + the number of members with more points.")
    clubs = ProfileClubSerializer(source="memberships", many=True, help_text="Only clubs you can see.")
    currently_reading = ReadingSerializer(source="reading", many=True)
    finished_books = FinishedBookSerializer(many=True, help_text="The latest, most recent first.")
    finished_count = serializers.IntegerField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, profile) -> str | None:
        return avatars.avatar_url(self.context.get("request"), profile.person)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=selectors.RELATIONSHIPS, help_text="Where you stand with this member."
        )
    )
    def get_relationship(self, profile) -> str:
        request = self.context.get("request")
        return selectors.relationship(request.user if request is not None else None, profile.person)


class UserProfileView(GenericAPIView):
    """A member's profile, if they share it with you; 404 otherwise (as if they did not exist)."""

    serializer_class = ProfileSerializer
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="A member's profile",
        description="Public profiles for everyone; friends-only profiles for their friends; private "
        "profiles only for their owner. Anything else is 404, the same as an unknown username.",
        responses={200: ProfileSerializer, 404: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request, username):
        user = selectors.live_users().filter(username__iexact=username).first()
        if user is None or not can_view_profile(request.user, user):
            raise Http404
        person = selectors.person(request.user, user)
        profile = profile_for(request.user, person)
        return Response(ProfileSerializer(profile, context={"request": request}).data)
