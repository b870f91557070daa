"""Who may do what in a club. One place, used by the HTML views, the API and the admin.

Each predicate takes the acting user and the club; the user's role is looked up once per club
object and cached on it, so a page asking several questions costs one query.
"""

from django.db.models import OuterRef, Subquery

from clubs.models import Club, JoinPolicy, Membership, Role, Visibility

_ROLE_CACHE = "_booky_role_cache"


def role_in(user, club: Club) -> str | None:
    """The user's role in the club, or None for outsiders and anonymous visitors."""
    if user is None or not user.is_authenticated:
        return None
    cache = club.__dict__.setdefault(_ROLE_CACHE, {})
    if user.pk not in cache:
        cache[user.pk] = (
            Membership.objects.filter(club=club, user=user).values_list("role", flat=True).first()
        )
    return cache[user.pk]


def forget_roles(club: Club) -> None:
    club.__dict__.pop(_ROLE_CACHE, None)


def role_subquery(user, *, club_field: str = "club") -> Subquery:
    """The user's role in each row's club, as an annotation (None for outsiders): read with the row,
    then handed to remember_role, it saves role_in its own query."""
    return Subquery(Membership.objects.filter(club=OuterRef(club_field), user=user).values("role")[:1])


def remember_role(user, club: Club, role: str | None) -> None:
    """Tell role_in what `user`'s role in `club` is (read with role_subquery)."""
    if user is not None and user.is_authenticated:
        club.__dict__.setdefault(_ROLE_CACHE, {})[user.pk] = role


def is_member(user, club: Club) -> bool:
    return role_in(user, club) is not None


def is_staff_of(user, club: Club) -> bool:
    """Owner or moderator."""
    return role_in(user, club) in (Role.OWNER, Role.MODERATOR)


def is_owner(user, club: Club) -> bool:
    return role_in(user, club) == Role.OWNER


def can_view_club(user, club: Club) -> bool:
    return club.visibility == Visibility.PUBLIC or is_member(user, club)


def can_view_members(user, club: Club) -> bool:
    return can_view_club(user, club)


def can_edit_club(user, club: Club) -> bool:
    return is_staff_of(user, club)


def can_manage_join_requests(user, club: Club) -> bool:
    return is_staff_of(user, club)


def can_see_invite_link(user, club: Club) -> bool:
    return is_staff_of(user, club)


def can_rotate_invite_code(user, club: Club) -> bool:
    return is_owner(user, club)


def can_change_roles(user, club: Club) -> bool:
    return is_owner(user, club)


def can_transfer_ownership(user, club: Club) -> bool:
    return is_owner(user, club)


def can_delete_club(user, club: Club) -> bool:
    return is_owner(user, club)


def can_leave(user, club: Club) -> bool:
    """Members and moderators leave; the owner hands the club on (or deletes it) first."""
    return role_in(user, club) in (Role.MODERATOR, Role.MEMBER)


def can_remove_member(user, club: Club, target: Membership) -> bool:
    """The owner removes anyone but themselves; moderators remove plain members."""
    actor_role = role_in(user, club)
    if target.user_id == getattr(user, "pk", None) or target.role == Role.OWNER:
        return False
    if actor_role == Role.OWNER:
        return True
    return actor_role == Role.MODERATOR and target.role == Role.MEMBER


def can_join_directly(user, club: Club) -> bool:
    """Open public clubs take anyone signed in who is not a member yet."""
    return (
        user.is_authenticated
        and club.join_policy == JoinPolicy.OPEN
        and club.visibility == Visibility.PUBLIC
        and not is_member(user, club)
    )


def can_request_to_join(user, club: Club) -> bool:
    return (
        user.is_authenticated
        and club.join_policy == JoinPolicy.APPROVAL
        and club.visibility == Visibility.PUBLIC
        and not is_member(user, club)
    )
