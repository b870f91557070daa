import pytest
from rest_framework.test import APIClient

from clubs.models import JoinRequest, Role
from tests.factories import ClubFactory, UserFactory, add_member


@pytest.fixture(autouse=True)
def _fast_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


class ClubCast:
    """One club and one person in each role around it."""

    def __init__(self, club):
        self.club = club
        self.owner = club.memberships.get(role=Role.OWNER).user
        self.moderator = add_member(club, role=Role.MODERATOR).user
        self.member = add_member(club).user
        self.requester = UserFactory()
        JoinRequest.objects.create(club=club, user=self.requester)
        self.outsider = UserFactory()

    def user_for(self, role: str):
        """`role` is one of owner, moderator, member, requester, outsider, anonymous."""
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def cast(db):
    return ClubCast(ClubFactory())


ROLES = ["owner", "moderator", "member", "requester", "outsider", "anonymous"]
