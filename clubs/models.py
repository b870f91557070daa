import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from booky.core.validators import validate_visible_name

NAME_MAX_LENGTH = 80
NO_NUL = [ProhibitNullCharactersValidator()]
PRIVATE_BY_APPROVAL_MESSAGE = (
    "A private club takes members by invitation only: nobody else can find it to ask. "
    'Choose "Invite link only", or make the club public to approve requests.'
)
NAME = [*NO_NUL, validate_visible_name]


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone can find it"
    PRIVATE = "private", "Private: only members and invitees see it"


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Open: anyone can join"
    APPROVAL = "approval", "Approval: moderators approve requests"
    INVITE = "invite", "Invite link only"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MODERATOR = "moderator", "Moderator"
    MEMBER = "member", "Member"


REMINDER_LEADS = {"week": "A week before", "day": "A day before", "hour": "An hour before"}


def default_reminder_leads() -> list[str]:
    return ["day"]


def clean_reminder_leads(leads) -> list[str]:
    """The known leads among `leads`, longest first, each once (anything else is dropped)."""
    chosen = set(leads or []) if isinstance(leads, (list, tuple, set)) else set()
    return [lead for lead in REMINDER_LEADS if lead in chosen]


class ClubQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public clubs, plus private clubs the user belongs to."""
        if user is None or not user.is_authenticated:
            return self.filter(visibility=Visibility.PUBLIC)
        is_member = Membership.objects.filter(club=OuterRef("pk"), user=user)
        return self.filter(Q(visibility=Visibility.PUBLIC) | Exists(is_member))

    def with_member_count(self):
        return self.annotate(member_count=Count("memberships", distinct=True))

    def with_open_poll(self):
        """The club's open next-book poll, read with the club (see open_poll_of): the club page's banner."""
        open_polls = Poll.objects.filter(club=models.OuterRef("pk"), closed_at__isnull=True)
        return self.annotate(
            **{
                f"open_poll_{field}": models.Subquery(open_polls.values(field)[:1])
                for field in ("id", "title", "nominations_close_at", "voting_closes_at")
            }
        )

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(city__icontains=text) | Q(country__icontains=text))

    def of_member(self, user):
        return self.filter(memberships__user=user)


class Club(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=NAME)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(max_length=4000, blank=True, validators=NO_NUL)
    city = models.CharField(max_length=80, blank=True, validators=NAME)
    country = models.CharField(max_length=80, blank=True, validators=NAME)
    visibility = models.CharField(max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    join_policy = models.CharField(max_length=10, choices=JoinPolicy, default=JoinPolicy.OPEN)
    # When members are reminded of a meeting unless they choose otherwise: some of "week", "day", "hour".
    reminder_leads = models.JSONField(default=default_reminder_leads, blank=True)
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClubQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="club_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(join_policy__in=JoinPolicy.values), name="club_join_policy_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="club_name_not_empty"),
            # Nobody outside a private club can see it to ask, so "approval" would take no one.
            models.CheckConstraint(
                condition=~Q(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.APPROVAL),
                name="club_private_not_by_approval",
            ),
        ]
        indexes = [models.Index(fields=["visibility", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clubs:detail", args=[self.slug])

    def clean(self):
        super().clean()
        if self.visibility == Visibility.PRIVATE and self.join_policy == JoinPolicy.APPROVAL:
            raise ValidationError({"join_policy": PRIVATE_BY_APPROVAL_MESSAGE}, code="private_by_approval")

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)


class MembershipQuerySet(models.QuerySet):
    def for_members_page(self):
        """Owner first, then moderators, then members by name."""
        role_rank = models.Case(
            models.When(role=Role.OWNER, then=0), models.When(role=Role.MODERATOR, then=1), default=2
        )
        return (
            self.select_related("user").annotate(role_rank=role_rank).order_by("role_rank", "user__username")
        )


class Membership(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["club", "user"], name="membership_unique_per_club"),
            # The other half of "exactly one owner" is club_create and ownership transfer, which
            # write the owner row in the same transaction as the club / the demotion.
            models.UniqueConstraint(
                fields=["club"], condition=Q(role=Role.OWNER), name="membership_one_owner"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "club"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.club} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_moderator(self) -> bool:
        return self.role == Role.MODERATOR


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class JoinRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=JoinRequestStatus.PENDING)


class JoinRequest(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    status = models.CharField(max_length=10, choices=JoinRequestStatus, default=JoinRequestStatus.PENDING)
    message = models.CharField(max_length=500, blank=True, validators=NO_NUL)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["club", "user"],
                condition=Q(status=JoinRequestStatus.PENDING),
                name="join_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JoinRequestStatus.values), name="join_request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.club} ({self.status})"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class ClubInvitation(models.Model):
    """A member invites a friend; accepting joins (or, in approval clubs, asks the moderators)."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="invitations")
    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="club_invitations"
    )
    status = models.CharField(max_length=10, choices=InvitationStatus, default=InvitationStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["club", "invitee"], condition=Q(status="pending"), name="club_invitation_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(inviter=models.F("invitee")), name="club_invitation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inviter} invites {self.invitee} to {self.club}"


from clubs.polls.models import (  # noqa: E402, F401
    Ballot,
    BallotRank,
    Nomination,
    NominationRule,
    Poll,
    PollMode,
    PollPhase,
)
