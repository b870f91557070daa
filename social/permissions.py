"""Who may see whose profile. One place, used by the pages, the API and the people search.

A profile is visible to its owner, to everyone when public, and to the owner's friends when
friends-only. "Only me" shows it to nobody else. A deleted or deactivated account shows to nobody.
Blocking ends a friendship, so a blocked member never sees the blocker's friends-only profile; the
check below says so explicitly as well. Public profiles stay public (anyone logged out sees them).
"""

from django.db.models import Q

from social.friends import are_friends, is_blocked
from social.models import Friendship, ProfileVisibility


def _is_self(viewer, user) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.pk == user.pk


def is_live(user) -> bool:
    return user is not None and user.is_active and user.deleted_at is None


def can_view_profile(viewer, user) -> bool:
    if not is_live(user):
        return False
    if _is_self(viewer, user):
        return True
    if user.profile_visibility == ProfileVisibility.PUBLIC:
        return True
    if user.profile_visibility == ProfileVisibility.FRIENDS:
        return (
            viewer is not None
            and viewer.is_authenticated
            and not is_blocked(blocker=user, blocked=viewer)
            and are_friends(viewer, user)
        )
    return False


def friend_of_q(viewer) -> Q:
    """Users who are the viewer's friends, as a filter on User."""
    return Q(pk__in=Friendship.objects.filter(user_high=viewer).values("user_low_id")) | Q(
        pk__in=Friendship.objects.filter(user_low=viewer).values("user_high_id")
    )


def profile_visible_q(viewer) -> Q:
    """The same rule as can_view_profile, as a filter on User (for lists: one query, no loop)."""
    live = Q(is_active=True, deleted_at__isnull=True)
    public = Q(profile_visibility=ProfileVisibility.PUBLIC)
    if viewer is None or not viewer.is_authenticated:
        return live & public
    friends_only = Q(profile_visibility=ProfileVisibility.FRIENDS) & friend_of_q(viewer)
    return live & (public | Q(pk=viewer.pk) | friends_only)
