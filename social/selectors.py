"""Reads for the friends page, the people search and profiles; each list is one query. (A profile's
sections from other apps, its clubs, reading and standing, are booky.site.profile's.)

`people_for(viewer)` annotates every User row with where it stands with the viewer, so a list of
people with their buttons ("Add friend", "Request sent", "Friends") never asks per row:

- `profile_visible`: the viewer may open the profile (social.permissions rule);
- `is_friend`, `blocked_by_me`;
- `incoming_request_id` / `outgoing_request_id`: the pending request between the two, if any.
"""

from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When

from social.models import Block, FriendRequest, FriendRequestStatus, User
from social.permissions import profile_visible_q
from social.relationships import known_friend_ids

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 100
RELATIONSHIPS = ("self", "friend", "incoming_request", "outgoing_request", "blocked", "none")


def live_users():
    return User.objects.filter(is_active=True, deleted_at__isnull=True)


def people_for(viewer, queryset=None):
    queryset = live_users() if queryset is None else queryset
    visible = Case(
        When(profile_visible_q(viewer), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    if viewer is None or not viewer.is_authenticated:
        return queryset.annotate(
            profile_visible=visible,
            is_friend=Value(False),
            blocked_by_me=Value(False),
            incoming_request_id=Value(None, output_field=IntegerField()),
            outgoing_request_id=Value(None, output_field=IntegerField()),
        )
    pending = FriendRequest.objects.filter(status=FriendRequestStatus.PENDING)
    friends = sorted(known_friend_ids(viewer))
    return queryset.annotate(
        profile_visible=visible,
        is_friend=Case(
            When(pk__in=friends, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        if friends
        else Value(False),
        blocked_by_me=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
        incoming_request_id=Subquery(
            pending.filter(from_user=OuterRef("pk"), to_user=viewer).values("pk")[:1]
        ),
        outgoing_request_id=Subquery(
            pending.filter(from_user=viewer, to_user=OuterRef("pk")).values("pk")[:1]
        ),
    )


def relationship(viewer, person: User) -> str:
    """Where `viewer` stands with a `person` from people_for: one of RELATIONSHIPS."""
    if viewer is not None and viewer.is_authenticated and viewer.pk == person.pk:
        return "self"
    if person.blocked_by_me:
        return "blocked"
    if person.is_friend:
        return "friend"
    if person.incoming_request_id:
        return "incoming_request"
    if person.outgoing_request_id:
        return "outgoing_request"
    return "none"


def person(viewer, user: User) -> User:
    """`user` again, with the annotations of people_for (one query)."""
    return people_for(viewer, User.objects.filter(pk=user.pk)).get()


def friends_list(viewer):
    return people_for(viewer, live_users().filter(pk__in=sorted(known_friend_ids(viewer)))).order_by(
        "username"
    )


def incoming_requests(viewer):
    senders = FriendRequest.objects.filter(status=FriendRequestStatus.PENDING, to_user=viewer).values(
        "from_user"
    )
    return people_for(viewer, live_users().filter(pk__in=senders)).order_by("username")


def outgoing_requests(viewer):
    receivers = FriendRequest.objects.filter(status=FriendRequestStatus.PENDING, from_user=viewer).values(
        "to_user"
    )
    return people_for(viewer, live_users().filter(pk__in=receivers)).order_by("username")


def blocked_list(viewer):
    blocked = Block.objects.filter(blocker=viewer).values("blocked")
    return people_for(viewer, live_users().filter(pk__in=blocked)).order_by("username")


def clean_search(text) -> str:
    return (text or "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def people_search(viewer, text: str):
    """Members matching `text`, for the "find people" box.

    Members whose profile the viewer may see match on username or display name. Others match only
    on their exact username (what sending a request by username needs anyway), so a search never
    reveals a hidden member's display name. Members who blocked the viewer never appear.
    """
    text = clean_search(text)
    if len(text) < SEARCH_MIN_LENGTH:
        return User.objects.none()
    matches = (
        profile_visible_q(viewer) & (Q(username__icontains=text) | Q(display_name__icontains=text))
    ) | Q(username__iexact=text)
    blocked_me = Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)
    people = live_users().filter(matches).exclude(pk=viewer.pk).exclude(Exists(blocked_me))
    return people_for(viewer, people).order_by("username", "pk")
