"""Help text under the progress and bet inputs sits below the input's border, not over it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bets.services import account_open
from meetings import services
from meetings.models import Rsvp
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_help_text_under_the_progress_and_bet_inputs_does_not_overlap_them(new_page, width):
    club = ClubFactory()
    meeting = MeetingFactory(
        club=club, book=BookFactory(page_count=300), starts_at=timezone.now() + timedelta(days=2)
    )
    readers = [add_member(club, UserFactory(display_name=name)).user for name in ("Ana Lima", "Bruno Costa")]
    for reader in readers:
        account_open(user=reader)
        services.attendance_rsvp(user=reader, meeting=meeting, rsvp=Rsvp.GOING)
    page = new_page(width, user=readers[0])
    page.goto(f"/meetings/{meeting.pk}/")
    for input_label, section in (("Page I am on", "#progress"), ("Points", "#bets")):
        field = page.locator(section).get_by_label(input_label)
        help_text = page.locator(f"#{field.get_attribute('id')}_helptext")
        field_box, help_box = field.bounding_box(), help_text.bounding_box()
        assert help_box["y"] >= field_box["y"] + field_box["height"], (input_label, field_box, help_box)
