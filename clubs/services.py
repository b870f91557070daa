"""Every write to clubs, memberships and join requests. Views, the API and the admin call these."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from booky.core.errors import Conflict, DomainError, NotAllowed, NotFound
from clubs import events, permissions
from clubs.models import (
    REMINDER_LEADS,
    Club,
    JoinPolicy,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Role,
    Visibility,
    clean_reminder_leads,
    new_invite_code,
)
from social.models import NotificationKind
from social.notifications import notify, notify_each
from social.permissions import shown_name

EDITABLE_FIELDS = ("name", "description", "city", "country", "visibility", "join_policy")


def _is_site_moderator(user) -> bool:
    """Site staff moderating through the admin may act on any club."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("clubs.change_club")
    )


def _require(allowed: bool, actor, message: str) -> None:
    if not allowed and not _is_site_moderator(actor):
        raise NotAllowed(message)


def _lock_club(club: Club, *, for_delete: bool = False) -> Club:
    # FOR NO KEY UPDATE (not FOR UPDATE) unless the club is to go: club operations still wait for each
    # other, but another transaction's foreign-key check on the club (a ledger or standings row of one of
    # its meetings, checked at COMMIT) does not wait for us. With FOR UPDATE, a member removal holding
    # the club and waiting for a meeting deadlocked with an RSVP holding the meeting and committing rows
    # that refer to the club.
    locked = Club.objects.select_for_update(no_key=not for_delete).filter(pk=club.pk).first()
    if locked is None:  # deleted by someone else since the caller loaded it
        raise NotFound("This club no longer exists.")
    permissions.forget_roles(club)
    return locked


# Slugs that would collide with fixed pages under /clubs/.
RESERVED_SLUGS = {"new", "mine", "join", "invitations"}


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:90].strip("-") or "club"
    if base in RESERVED_SLUGS:
        base = f"{base}-club"
    taken = set(
        Club.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _clean_text_fields(values: dict) -> dict:
    return {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}


def club_create(
    *,
    owner,
    name: str,
    description: str = "",
    city: str = "",
    country: str = "",
    visibility: str = Visibility.PUBLIC,
    join_policy: str = JoinPolicy.OPEN,
) -> Club:
    """Create a club with `owner` as its only owner, in one transaction."""
    if not owner.is_authenticated:
        raise NotAllowed("Log in to create a club.")
    fields = _clean_text_fields(
        dict(
            name=name,
            description=description,
            city=city,
            country=country,
            visibility=visibility,
            join_policy=join_policy,
        )
    )
    # Two clubs created at once with the same name may pick the same slug; the unique
    # constraint catches that and we try the next free one.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                club = Club(**fields, slug=_unique_slug(fields["name"]))
                club.full_clean()
                club.save()
                Membership.objects.create(club=club, user=owner, role=Role.OWNER)
                return club
        except IntegrityError:
            continue
    raise Conflict("Could not find a free address for this club name; try a slightly different name.")


@transaction.atomic
def club_update(*, actor, club: Club, **changes) -> Club:
    """Change the club's details; the slug stays, so links keep working."""
    _require(
        permissions.can_edit_club(actor, club), actor, "Only the owner and moderators can edit this club."
    )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    club = _lock_club(club)
    for field, value in _clean_text_fields(changes).items():
        setattr(club, field, value)
    club.full_clean()
    club.save()
    return club


@transaction.atomic
def club_delete(*, actor, club: Club) -> None:
    """Delete a club and its meetings, unless an app above vetoes it through `events.club_deleting`
    (bets keeps a club whose meetings hold points history: the ledger keeps every row forever)."""
    _require(permissions.can_delete_club(actor, club), actor, "Only the owner can delete this club.")
    removed_by_staff = not permissions.is_owner(actor, club)  # a site moderator (the admin, the API)
    club = _lock_club(club, for_delete=True)
    events.club_deleting.send(sender=Club, club=club)  # a receiver refuses by raising a DomainError
    members = [membership.user for membership in club.memberships.select_related("user").order_by("pk")]
    club.delete()
    if removed_by_staff:
        # An owner deleting their own club tells its members themselves; a club gone from under its
        # members by a moderator's hand would otherwise just vanish from their lists.
        notify_each(
            members,
            kind=NotificationKind.CLUB_REMOVED,
            actor=actor,
            message=f"{club.name} was removed by Booky's moderators, with its meetings.",
            url=reverse("clubs:mine"),
        )


@transaction.atomic
def club_rotate_invite_code(*, actor, club: Club) -> Club:
    """Replace the invite code; links with the old code stop working at once."""
    _require(
        permissions.can_rotate_invite_code(actor, club), actor, "Only the owner can reset the invite link."
    )
    club = _lock_club(club)
    club.invite_code = new_invite_code()
    club.save(update_fields=["invite_code"])
    return club


@dataclass(frozen=True)
class JoinOutcome:
    membership: Membership | None = None
    join_request: JoinRequest | None = None

    @property
    def joined(self) -> bool:
        return self.membership is not None


JOIN_MESSAGE_MAX_LENGTH = JoinRequest._meta.get_field("message").max_length


def _clean_join_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > JOIN_MESSAGE_MAX_LENGTH:
        raise DomainError(
            f"Keep your note to the moderators to {JOIN_MESSAGE_MAX_LENGTH} characters "
            f"(it has {len(message)}).",
            code="message_too_long",
        )
    if "\x00" in message:
        raise DomainError("Your note contains a character Booky cannot store.", code="invalid_message")
    return message


@transaction.atomic
def club_join(*, user, club: Club, invite_code: str | None = None, message: str = "") -> JoinOutcome:
    """Join an open club, ask to join an approval club (with an optional note to its moderators), or
    join any club with its current invite code."""
    if not user.is_authenticated:
        raise NotAllowed("Log in to join a club.", code="not_authenticated")
    message = _clean_join_message(message)
    club = _lock_club(club)
    if Membership.objects.filter(club=club, user=user).exists():
        raise Conflict(f"You are already a member of {club.name}.", code="already_member")
    if invite_code is not None:
        if invite_code != club.invite_code:
            raise NotAllowed(
                "This invite link is no longer valid. Ask a club member for a new one.", code="invite_invalid"
            )
        JoinRequest.objects.filter(club=club, user=user, status=JoinRequestStatus.PENDING).update(
            status=JoinRequestStatus.APPROVED, decided_at=timezone.now()
        )
        return JoinOutcome(membership=Membership.objects.create(club=club, user=user, role=Role.MEMBER))
    if club.visibility == Visibility.PRIVATE or club.join_policy == JoinPolicy.INVITE:
        raise NotAllowed(f"{club.name} takes new members by invite link only.", code="invite_only")
    if club.join_policy == JoinPolicy.OPEN:
        return JoinOutcome(membership=Membership.objects.create(club=club, user=user, role=Role.MEMBER))
    if JoinRequest.objects.filter(club=club, user=user, status=JoinRequestStatus.PENDING).exists():
        raise Conflict("Your request to join is already waiting for approval.", code="already_requested")
    join_request = JoinRequest.objects.create(club=club, user=user, message=message)
    notify_join_request(club=club, join_request=join_request)
    return JoinOutcome(join_request=join_request)


def notify_join_request(*, club: Club, join_request: JoinRequest) -> None:
    """Tell the owner and the moderators that someone asks to join (in the caller's transaction)."""
    requester = join_request.user
    staff = [
        membership.user
        for membership in Membership.objects.filter(club=club, role__in=[Role.OWNER, Role.MODERATOR])
        .select_related("user")
        .order_by("pk")
    ]
    for member in staff:
        # Each named as they may see the requester (not a member yet: the profile rule alone).
        notify_each(
            [member],
            kind=NotificationKind.JOIN_REQUEST,
            actor=requester,
            message=f"{shown_name(member, requester)} asks to join {club.name}.",
            url=reverse("clubs:requests", args=[club.slug]),
        )


@transaction.atomic
def join_request_cancel(*, user, club: Club) -> None:
    """The requester withdraws their pending request."""
    updated = JoinRequest.objects.filter(club=club, user=user, status=JoinRequestStatus.PENDING).delete()[0]
    if not updated:
        raise Conflict("You have no pending request for this club.", code="no_pending_request")


def _decide(*, actor, join_request: JoinRequest, status: str) -> JoinRequest:
    club = join_request.club
    _require(
        permissions.can_manage_join_requests(actor, club),
        actor,
        "Only the owner and moderators decide on requests.",
    )
    _lock_club(club)
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequestStatus.PENDING:
        raise Conflict(
            f"This request was already {join_request.get_status_display().lower()}.", code="already_decided"
        )
    join_request.status = status
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor if actor.is_authenticated else None
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    return join_request


@transaction.atomic
def join_request_approve(*, actor, join_request: JoinRequest) -> Membership:
    join_request = _decide(actor=actor, join_request=join_request, status=JoinRequestStatus.APPROVED)
    membership, _created = Membership.objects.get_or_create(
        club=join_request.club, user=join_request.user, defaults={"role": Role.MEMBER}
    )
    club = join_request.club
    notify(
        recipient=join_request.user,
        kind=NotificationKind.JOIN_APPROVED,
        actor=actor if actor.is_authenticated else None,
        message=f"Welcome to {club.name}: your request to join was approved.",
        url=club.get_absolute_url(),
    )
    return membership


@transaction.atomic
def join_request_decline(*, actor, join_request: JoinRequest) -> JoinRequest:
    return _decide(actor=actor, join_request=join_request, status=JoinRequestStatus.DECLINED)


@transaction.atomic
def club_leave(*, user, club: Club) -> None:
    if not user.is_authenticated:
        raise NotAllowed("Log in first.", code="not_authenticated")
    _lock_club(club)
    membership = Membership.objects.filter(club=club, user=user).first()
    if membership is None:
        raise Conflict(f"You are not a member of {club.name}.", code="not_member")
    if membership.role == Role.OWNER:
        raise Conflict(
            "You own this club: transfer ownership to another member before leaving, or delete the club.",
            code="owner_cannot_leave",
        )
    membership.delete()
    events.member_left.send(sender=Club, club=club, user=user)


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Remove a member; they may ask to join again later."""
    club = membership.club
    if membership.role == Role.OWNER:
        raise Conflict(
            "The owner cannot be removed. Transfer ownership first.", code="owner_cannot_be_removed"
        )
    if membership.user_id == actor.pk:
        raise Conflict("To leave the club, use Leave.", code="cannot_remove_self")
    _require(
        permissions.can_remove_member(actor, club, membership),
        actor,
        "Moderators can remove members; only the owner can remove moderators.",
    )
    _lock_club(club)
    Membership.objects.filter(pk=membership.pk).delete()
    events.member_left.send(sender=Club, club=club, user=membership.user)


@transaction.atomic
def membership_set_role(*, actor, membership: Membership, role: str) -> Membership:
    """Promote a member to moderator or demote a moderator; the owner changes only by transfer."""
    club = membership.club
    _require(permissions.can_change_roles(actor, club), actor, "Only the owner can change roles.")
    if role not in (Role.MODERATOR, Role.MEMBER):
        if role == Role.OWNER:
            raise Conflict("To make someone the owner, transfer ownership.", code="use_transfer")
        raise DomainError(f"Unknown role {role!r}: choose moderator or member.", code="invalid_role")
    _lock_club(club)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.OWNER:
        raise Conflict(
            "The owner cannot be demoted. Transfer ownership first.", code="owner_cannot_be_demoted"
        )
    promoted = role == Role.MODERATOR and membership.role != Role.MODERATOR
    membership.role = role
    membership.save(update_fields=["role"])
    if promoted:
        notify(
            recipient=membership.user,
            kind=NotificationKind.CLUB_ROLE,
            actor=actor if actor.is_authenticated else None,
            message=f"You are now a moderator of {club.name}: you can edit the club, approve requests "
            "to join and remove members.",
            url=club.get_absolute_url(),
        )
    return membership


@transaction.atomic
def club_transfer_ownership(*, actor, club: Club, new_owner) -> Club:
    """Make another member the owner; the previous owner stays on as a moderator."""
    _require(permissions.can_transfer_ownership(actor, club), actor, "Only the owner can transfer ownership.")
    club = _lock_club(club)
    target = Membership.objects.select_for_update().filter(club=club, user=new_owner).first()
    if target is None:
        raise Conflict("Ownership can only go to a member of the club.", code="not_member")
    if target.role == Role.OWNER:
        raise Conflict("This member already owns the club.", code="already_owner")
    # Demote first: the one-owner constraint holds at every statement.
    Membership.objects.filter(club=club, role=Role.OWNER).update(role=Role.MODERATOR)
    target.role = Role.OWNER
    target.save(update_fields=["role"])
    notify(
        recipient=new_owner,
        kind=NotificationKind.CLUB_ROLE,
        actor=actor if actor.is_authenticated else None,
        message=f"You are now the owner of {club.name}: you alone change roles, reset the invite link, "
        "hand the club on or delete it.",
        url=club.get_absolute_url(),
    )
    return club


@transaction.atomic
def club_reminders_set(*, actor, club: Club, leads) -> Club:
    """The reminders the club's members get unless they choose their own (any of week, day, hour)."""
    _require(permissions.can_edit_club(actor, club), actor, "Only the owner and moderators can change this.")
    if not isinstance(leads, (list, tuple)) or set(leads) - set(REMINDER_LEADS):
        raise DomainError("Choose reminders from: a week, a day or an hour before.", code="invalid_leads")
    club = _lock_club(club)
    club.reminder_leads = clean_reminder_leads(leads)
    club.save(update_fields=["reminder_leads"])
    return club
