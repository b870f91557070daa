"""Who sees whose name on a club's lists (members, attendees, bets, its leaderboard).

social.permissions' profile rule, plus the club's: in a club's own lists, the club's members see
everyone on them, as a book club needs names. Same names and arguments as social.permissions' helpers,
with `club`: without it (`club=None`) they are exactly social's rule.
"""

from django.db.models import Case, Value

from clubs.permissions import is_member
from social import permissions as social_permissions


def _viewer_is_member(viewer, club) -> bool | None:
    # Asked once (the role is cached on the club, and pages ask it anyway), not as a subquery per row.
    if club is None or viewer is None or not viewer.is_authenticated:
        return None
    return is_member(viewer, club)


def profile_visible_flag(viewer, *, club=None, user_field: str = "pk") -> Case | Value:
    """The profile rule as a True/False annotation: on User rows (`user_field="pk"`) or on rows with a
    user foreign key (`user_field="user"`); with `club`, also true for every row when the viewer is
    one of its members. Costs no query of its own."""
    return social_permissions.profile_visible_flag(
        viewer, user_field=user_field, also=_viewer_is_member(viewer, club)
    )


def annotate_profile_visibility(queryset, viewer, *, club=None, user_fields=("user",)):
    """`queryset` with `<field>_profile_visible` for each user foreign key in `user_fields`
    (social.permissions.with_profile_visibility reads them)."""
    return social_permissions.annotate_profile_visibility(
        queryset, viewer, user_fields=user_fields, also=_viewer_is_member(viewer, club)
    )


def mark_profile_visibility(viewer, users, *, club=None, viewer_is_member: bool | None = None) -> None:
    """Set `profile_visible` on users fetched without annotate_profile_visibility, with the same rule:
    no query for the members of `club` (`viewer_is_member`, else the role cached on the club), one
    for anybody else, whatever the number of users."""
    users = [user for user in users if user is not None]
    if not users:
        return
    if club is not None and viewer_is_member is None:
        viewer_is_member = is_member(viewer, club)
    if club is not None and viewer_is_member:
        for user in users:
            user.profile_visible = True
        return
    social_permissions.mark_profile_visibility(viewer, users)
