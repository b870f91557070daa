"""A club's "next book" poll: nominations, then secret ballots, counted once when voting closes.

Imported by clubs/models.py, so these tables belong to the clubs app (and its migrations).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from booky.core.validators import validate_visible_name

NO_NUL = [ProhibitNullCharactersValidator()]
PITCH_MAX_LENGTH = 140
MAX_NOMINATIONS_LIMIT = 10


class PollMode(models.TextChoices):
    RANKED = "ranked", "Ranked choice (instant runoff)"
    SINGLE = "single", "One vote each"


class NominationRule(models.TextChoices):
    MEMBERS = "members", "Every member may nominate"
    HOSTS = "hosts", "Only the owner and moderators nominate"


class PollPhase(models.TextChoices):
    NOMINATING = "nominating", "Taking nominations"
    VOTING = "voting", "Voting"
    COUNTING = "counting", "Counting the votes"
    CLOSED = "closed", "Closed"


class PollQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def due(self, now):
        """Polls whose voting has ended and whose votes are not counted yet."""
        return self.filter(closed_at__isnull=True, voting_closes_at__lte=now)


class Poll(models.Model):
    club = models.ForeignKey("clubs.Club", on_delete=models.CASCADE, related_name="polls")
    title = models.CharField(
        max_length=200, default="What do we read next?", validators=[*NO_NUL, validate_visible_name]
    )
    description = models.TextField(max_length=1000, blank=True, validators=NO_NUL)
    mode = models.CharField(max_length=10, choices=PollMode, default=PollMode.RANKED)
    nominations_by = models.CharField(max_length=10, choices=NominationRule, default=NominationRule.MEMBERS)
    max_nominations = models.PositiveSmallIntegerField(
        "nominations per member",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_NOMINATIONS_LIMIT)],
    )
    nominations_close_at = models.DateTimeField()
    voting_closes_at = models.DateTimeField()
    show_live_results = models.BooleanField(
        default=False,
        help_text="Show the running count while voting is open (otherwise only after it closes).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once, by services.poll_close, together with the winner and the rounds.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    winner = models.ForeignKey(
        "clubs.Nomination", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # [{"tallies": {nomination_id: votes}, "exhausted": n, "eliminated": id|None, "tie_break": "…"}, …]
    rounds = models.JSONField(default=list, blank=True, editable=False)
    ballots_counted = models.PositiveIntegerField(default=0, editable=False)
    closing_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voting_closes_at__gt=F("nominations_close_at")),
                name="poll_voting_after_nominations",
            ),
            models.CheckConstraint(condition=Q(mode__in=PollMode.values), name="poll_mode_valid"),
            models.CheckConstraint(
                condition=Q(nominations_by__in=NominationRule.values), name="poll_nominations_by_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_nominations__gte=1, max_nominations__lte=MAX_NOMINATIONS_LIMIT),
                name="poll_max_nominations_range",
            ),
            # One poll at a time per club: a second one would split the vote.
            models.UniqueConstraint(
                fields=["club"], condition=Q(closed_at__isnull=True), name="poll_one_open_per_club"
            ),
        ]
        indexes = [
            models.Index(
                fields=["voting_closes_at"], condition=Q(closed_at__isnull=True), name="poll_open_closing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.club})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("clubs:poll", args=[self.club.slug, self.pk])

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if self.closed_at is not None:
            return PollPhase.CLOSED
        if now < self.nominations_close_at:
            return PollPhase.NOMINATING
        if now < self.voting_closes_at:
            return PollPhase.VOTING
        return PollPhase.COUNTING

    @property
    def current_phase_value(self) -> str:
        return self.phase()

    @property
    def phase_label(self) -> str:
        return PollPhase(self.phase()).label

    @property
    def is_ranked(self) -> bool:
        return self.mode == PollMode.RANKED


class Nomination(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="nominations")
    # PROTECT: a nominated book stays while the poll refers to it (merge books instead).
    book = models.ForeignKey("books.Book", on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="nominations"
    )
    pitch = models.CharField(max_length=PITCH_MAX_LENGTH, blank=True, validators=NO_NUL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["poll", "book"], name="nomination_one_per_book")]

    def __str__(self) -> str:
        return f"{self.book} in {self.poll}"


class Ballot(models.Model):
    """One member's secret ballot: the ranks say what, and nobody but the voter reads them."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ballots")
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="ballot_one_per_voter")]

    def __str__(self) -> str:
        return f"Ballot in {self.poll}"


class BallotRank(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="ranks")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "rank"], name="ballot_rank_unique"),
            models.UniqueConstraint(fields=["ballot", "nomination"], name="ballot_nomination_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="ballot_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"Rank {self.rank}"
