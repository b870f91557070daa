"""Who may see whose profile. One place, used by the pages, the API and the people search.

A profile is visible to its owner, to everyone when public, and to the owner's friends when
friends-only. "Only me" shows it to nobody else. A deleted or deactivated account shows to nobody.
Blocking ends a friendship, so a blocked member never sees the blocker's friends-only profile; the
check below says so explicitly as well. Public profiles stay public (anyone logged out sees them).
"""

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When

from social.models import ProfileVisibility, User
from social.relationships import are_friends, is_blocked, known_friend_ids


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


def profile_visible_q(viewer) -> Q:
    """The same rule as can_view_profile, as a filter on User (for lists: one query, no loop)."""
    live = Q(is_active=True, deleted_at__isnull=True)
    public = Q(profile_visibility=ProfileVisibility.PUBLIC)
    if viewer is None or not viewer.is_authenticated:
        return live & public
    visible = public | Q(pk=viewer.pk)
    # The viewer's friends as an id list: a subquery here sat in every list query and cost
    # PostgreSQL more to plan than the list did to read.
    if friends := known_friend_ids(viewer):
        visible |= Q(profile_visibility=ProfileVisibility.FRIENDS, pk__in=sorted(friends))
    return live & visible


def profile_visible_rule(viewer, *, user_field: str = "pk") -> Q:
    """profile_visible_q on User rows (`user_field="pk"`) or on rows with a user foreign key
    (`user_field="user"`)."""
    if user_field == "pk":
        return profile_visible_q(viewer)
    return Q(Exists(User.objects.filter(profile_visible_q(viewer), pk=OuterRef(user_field))))


def as_flag(rule: Q) -> Case:
    """A filter as a True/False annotation."""
    return Case(When(rule, then=Value(True)), default=Value(False), output_field=BooleanField())


def profile_visible_flag(viewer, *, user_field: str = "pk", also: Q | bool | None = None) -> Case | Value:
    """profile_visible_q as a True/False annotation on User rows or rows with a user foreign key,
    true also where `also` holds (clubs.visibility passes "the viewer is a member of this club").
    Costs no query of its own; with_profile_visibility puts it on the fetched users."""
    if also is True:
        return Value(True, output_field=BooleanField())
    rule = profile_visible_rule(viewer, user_field=user_field)
    return as_flag(rule if also is None or also is False else rule | also)


def annotate_profile_visibility(queryset, viewer, *, user_fields=("user",), also: Q | bool | None = None):
    """`queryset` with `<field>_profile_visible` for each user foreign key in `user_fields`."""
    return queryset.annotate(
        **{
            f"{field}_profile_visible": profile_visible_flag(viewer, user_field=field, also=also)
            for field in user_fields
        }
    )


def with_profile_visibility(rows, *, user_fields=("user",)) -> list:
    """The rows of an annotate_profile_visibility queryset, with `profile_visible` set on their users
    (what the `shown_name` and `avatar` template tags and the API serializers read)."""
    rows = list(rows)
    for row in rows:
        for field in user_fields:
            getattr(row, field).profile_visible = getattr(row, f"{field}_profile_visible")
    return rows


def mark_profile_visibility(viewer, users) -> None:
    """Set `profile_visible` on users fetched without annotate_profile_visibility, with the same rule:
    one query whatever the number of users (none for no users)."""
    users = [user for user in users if user is not None]
    if not users:
        return
    ids = {user.pk for user in users}
    visible = set(User.objects.filter(profile_visible_q(viewer), pk__in=ids).values_list("pk", flat=True))
    for user in users:
        user.profile_visible = user.pk in visible


def mark_profile_linkable(viewer, users) -> None:
    """Set `profile_linkable` on fetched users: may `viewer` open their profile (the rule of
    profile_visible_q, on rows already read)? On a club's lists its members see every name, but a
    friends-only profile opens to friends only. Costs a query only when a friends-only profile is among
    `users`, and then one per request (the viewer's friends, read once)."""
    for user in users:
        if user is None:
            continue
        if not is_live(user):
            user.profile_linkable = False
        elif _is_self(viewer, user) or user.profile_visibility == ProfileVisibility.PUBLIC:
            user.profile_linkable = True
        elif user.profile_visibility == ProfileVisibility.FRIENDS:
            user.profile_linkable = user.pk in known_friend_ids(viewer)
        else:
            user.profile_linkable = False


def shown_name(viewer, user) -> str:
    """How a message names `user` to `viewer`: the display name if the viewer may see the profile,
    "@username" otherwise (the username is what the viewer typed or followed, so it tells nothing new)."""
    return user.name if can_view_profile(viewer, user) else f"@{user.username}"


def name_as_listed(user) -> str:
    """A user on a list: the display name, or "@username" when marked `profile_visible=False`."""
    return user.name if getattr(user, "profile_visible", True) else f"@{user.username}"
