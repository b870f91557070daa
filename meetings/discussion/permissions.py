"""Who may do what in a meeting's discussion. Builds on the club roles (clubs.permissions)."""

from clubs import permissions as club_permissions


def can_read_discussion(user, meeting) -> bool:
    """Read the posts (each still gated by the reader's page) and take part: members of the club."""
    return club_permissions.is_member(user, meeting.club)


def can_post(user, meeting) -> bool:
    return club_permissions.is_member(user, meeting.club)


def can_see_post_count(user, meeting) -> bool:
    """Anyone who can see the meeting sees how many posts there are (a public club's outsiders too)."""
    return club_permissions.can_view_club(user, meeting.club)


def can_moderate(user, meeting) -> bool:
    """Hide or remove posts and handle reports: the owner and the moderators."""
    return club_permissions.is_staff_of(user, meeting.club)
