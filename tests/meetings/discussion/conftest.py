import pytest
from django.utils import timezone

from meetings.models import Attendance
from tests.factories import MeetingFactory


def set_page(meeting, user, page: int) -> Attendance:
    finished = page >= meeting.target_page
    attendance, _ = Attendance.objects.update_or_create(
        meeting=meeting,
        user=user,
        defaults={
            "current_page": page,
            "finished": finished,
            "finished_at": timezone.now() if finished else None,
        },
    )
    return attendance


@pytest.fixture
def meeting(cast):
    """A meeting a week from now, target page 300; the owner is on page 250, the member on page 100."""
    meeting = MeetingFactory(club=cast.club, target_page=300)
    set_page(meeting, cast.owner, 250)
    set_page(meeting, cast.member, 100)
    return meeting
