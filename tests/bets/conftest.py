import pytest

from bets.services import account_open
from meetings.models import Attendance, Rsvp
from tests.factories import MeetingFactory


@pytest.fixture
def race(cast):
    """A meeting of the `cast` club a week away; owner, moderator and member are going, each with 100 points."""
    meeting = MeetingFactory(club=cast.club)
    for user in (cast.owner, cast.moderator, cast.member):
        account_open(user=user)
        Attendance.objects.create(meeting=meeting, user=user, rsvp=Rsvp.GOING)
    return meeting
