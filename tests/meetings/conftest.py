import pytest

from tests.factories import MeetingFactory


@pytest.fixture
def meeting(cast):
    """A scheduled meeting of the `cast` club, a week from now, target page 300."""
    return MeetingFactory(club=cast.club)
