"""Who may do what with meetings. Builds on the club roles in clubs/permissions.py."""

from clubs import permissions as club_permissions
from meetings.models import Meeting


def can_view_meeting(user, meeting: Meeting) -> bool:
    return club_permissions.can_view_club(user, meeting.club)


def can_manage_meetings(user, club) -> bool:
    """Create, edit, reschedule, cancel, complete and check in: the owner and moderators."""
    return club_permissions.is_staff_of(user, club)


def can_manage_meeting(user, meeting: Meeting) -> bool:
    return can_manage_meetings(user, meeting.club)


def can_take_part(user, meeting: Meeting) -> bool:
    """RSVP and update one's own progress: members of the club."""
    return club_permissions.is_member(user, meeting.club)


def can_review(user, meeting: Meeting) -> bool:
    """Rate the book and review it: members of the club, once the meeting has started (not cancelled)."""
    return (
        club_permissions.is_member(user, meeting.club)
        and meeting.status != "cancelled"
        and meeting.has_started()
    )


def is_member_of(user, meeting: Meeting) -> bool:
    return club_permissions.is_member(user, meeting.club)


def can_read_reviews(user, meeting: Meeting) -> bool:
    """Reviews are for the club: its members read them."""
    return club_permissions.is_member(user, meeting.club)
