"""Every write to a next-book poll: open it, nominate, withdraw, vote, and close it (exactly once).

The count itself is clubs.polls.counting (pure); closing stores its rounds and winner on the poll so
the result never changes afterwards, whatever happens to ballots or nominations later.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from books.models import Book
from booky.core.errors import Conflict, DomainError, NotAllowed, NotFound
from clubs.models import Club, Membership
from clubs.polls import counting, permissions
from clubs.polls.models import (
    PITCH_MAX_LENGTH,
    Ballot,
    BallotRank,
    Nomination,
    NominationRule,
    Poll,
    PollMode,
    PollPhase,
)
from social.models import NotificationKind
from social.notifications import local_time, notify

MAX_POLL_LENGTH = timedelta(days=180)
MIN_VOTING_LENGTH = timedelta(minutes=10)
CLOSING_REMINDER_LEAD = timedelta(days=1)


class PollError(DomainError):
    code = "invalid_poll"


class PollClosed(DomainError):
    status_code = 409
    code = "poll_closed"


def _members(club: Club):
    return [m.user for m in Membership.objects.filter(club=club).select_related("user").order_by("user_id")]


def _locked(poll: Poll) -> Poll:
    poll = Poll.objects.select_for_update(of=("self",)).select_related("club").filter(pk=poll.pk).first()
    if poll is None:
        raise NotFound("This poll no longer exists.")
    return poll


@transaction.atomic
def poll_open(
    *,
    actor,
    club: Club,
    nominations_close_at: datetime,
    voting_closes_at: datetime,
    title: str = "",
    description: str = "",
    mode: str = PollMode.RANKED,
    nominations_by: str = NominationRule.MEMBERS,
    max_nominations: int = 2,
    show_live_results: bool = False,
    now: datetime | None = None,
) -> Poll:
    """Open a poll for the club's next book; the members hear of it."""
    if not permissions.can_open_poll(actor, club):
        raise NotAllowed("Only the club's owner and moderators open polls.")
    now = now or timezone.now()
    if nominations_close_at <= now:
        raise PollError("The nominations must close in the future.")
    if voting_closes_at < nominations_close_at + MIN_VOTING_LENGTH:
        raise PollError("Voting must close at least 10 minutes after the nominations close.")
    if voting_closes_at > now + MAX_POLL_LENGTH:
        raise PollError("A poll can run for at most 180 days.")
    if mode not in PollMode.values:
        raise PollError("Choose ranked choice or one vote each.")
    if nominations_by not in NominationRule.values:
        raise PollError("Choose who may nominate books.")
    if Poll.objects.open().filter(club=club).exists():
        raise Conflict("This club already has an open poll; it must close before another opens.")
    poll = Poll(
        club=club,
        title=" ".join((title or "").split()) or Poll._meta.get_field("title").default,
        description=(description or "").strip(),
        mode=mode,
        nominations_by=nominations_by,
        max_nominations=max_nominations,
        nominations_close_at=nominations_close_at,
        voting_closes_at=voting_closes_at,
        show_live_results=show_live_results,
        created_by=actor,
    )
    poll.full_clean(exclude=["club", "created_by"])
    try:
        with transaction.atomic():
            poll.save()
    except IntegrityError as error:
        raise Conflict("This club already has an open poll; it must close before another opens.") from error
    for member in _members(club):
        if member.pk == actor.pk:
            continue
        notify(
            recipient=member,
            kind=NotificationKind.POLL_OPENED,
            actor=actor,
            message=(
                f"{club.name} is choosing its next book: “{poll.title}”. "
                f"Nominations close {local_time(member, nominations_close_at)}."
            ),
            url=poll.get_absolute_url(),
            dedupe_key=f"poll-opened:{poll.pk}:{member.pk}",
        )
    from clubs.polls.tasks import schedule_poll_tasks

    schedule_poll_tasks(poll)
    return poll


@transaction.atomic
def nomination_add(
    *, actor, poll: Poll, book: Book, pitch: str = "", now: datetime | None = None
) -> Nomination:
    """Nominate a book (from search or the member's shelves) with a one-line pitch."""
    poll = _locked(poll)
    phase = poll.phase(now)
    if phase != PollPhase.NOMINATING:
        raise PollClosed("Nominations for this poll are closed.")
    if not permissions.can_nominate(actor, poll, now):
        if poll.nominations_by == NominationRule.HOSTS:
            raise NotAllowed("In this poll only the owner and moderators nominate books.")
        raise NotAllowed("Only members of the club nominate books.")
    pitch = " ".join((pitch or "").replace("\x00", "").split())
    if len(pitch) > PITCH_MAX_LENGTH:
        raise PollError(f"Keep the pitch to one line of at most {PITCH_MAX_LENGTH} characters.")
    if not Book.objects.filter(pk=book.pk).exists():
        raise NotFound("This book is no longer in Booky.")
    existing = poll.nominations.filter(book=book).select_related("nominated_by").first()
    if existing is not None:
        raise Conflict(f"“{book.title}” is already nominated.", code="already_nominated")
    mine = poll.nominations.filter(nominated_by=actor).count()
    if mine >= poll.max_nominations:
        raise PollError(
            f"You have nominated {mine} book{'s' if mine != 1 else ''}, the most this poll allows. "
            "Withdraw one to nominate another."
        )
    try:
        with transaction.atomic():
            return Nomination.objects.create(poll=poll, book=book, nominated_by=actor, pitch=pitch)
    except IntegrityError as error:
        raise Conflict(f"“{book.title}” was just nominated.", code="already_nominated") from error


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination) -> None:
    poll = _locked(nomination.poll)
    nomination = Nomination.objects.filter(pk=nomination.pk, poll=poll).select_related("poll__club").first()
    if nomination is None:
        raise NotFound("This nomination was already withdrawn.")
    if poll.phase() != PollPhase.NOMINATING:
        raise PollClosed("Nominations are closed: the list stays as it is for the vote.")
    if not permissions.can_withdraw(actor, nomination):
        raise NotAllowed("Only the member who nominated a book, or the hosts, can withdraw it.")
    nomination.delete()


def _clean_ranking(poll: Poll, ranking) -> list[int]:
    try:
        ids = [int(value) for value in ranking]
    except (TypeError, ValueError) as error:
        raise PollError("The ballot must list nominations by their numbers.") from error
    if not ids:
        raise PollError("Choose at least one book.")
    if len(set(ids)) != len(ids):
        raise PollError("Rank each book at most once.")
    known = set(poll.nominations.filter(pk__in=ids).values_list("pk", flat=True))
    if unknown := [value for value in ids if value not in known]:
        raise PollError(
            f"{'These are' if len(unknown) > 1 else 'This is'} not a nominee of this poll: {unknown[0]}."
        )
    if poll.mode == PollMode.SINGLE and len(ids) != 1:
        raise PollError("This poll is one vote each: choose one book.")
    return ids


@transaction.atomic
def ballot_cast(*, voter, poll: Poll, ranking, now: datetime | None = None) -> Ballot:
    """Record (or replace) the member's ballot: nomination ids, best first. Secret; final at close."""
    poll = _locked(poll)
    phase = poll.phase(now)
    if phase == PollPhase.NOMINATING:
        raise PollClosed("Voting opens when the nominations close.")
    if phase != PollPhase.VOTING:
        raise PollClosed("Voting has closed; ballots can no longer change.")
    if not permissions.can_vote(voter, poll, now):
        raise NotAllowed("Only members of the club vote.")
    ids = _clean_ranking(poll, ranking)
    ballot, _ = Ballot.objects.get_or_create(poll=poll, voter=voter)
    ballot.ranks.all().delete()
    BallotRank.objects.bulk_create(
        BallotRank(ballot=ballot, nomination_id=nomination_id, rank=rank)
        for rank, nomination_id in enumerate(ids, start=1)
    )
    ballot.cast_at = now or timezone.now()
    ballot.save(update_fields=["cast_at"])
    return ballot


@transaction.atomic
def ballot_withdraw(*, voter, poll: Poll) -> bool:
    poll = _locked(poll)
    if poll.phase() != PollPhase.VOTING:
        raise PollClosed("Voting has closed; ballots can no longer change.")
    deleted, _ = Ballot.objects.filter(poll=poll, voter=voter).delete()
    return bool(deleted)


def count_ballots(poll: Poll) -> counting.Outcome:
    """The count of the poll's ballots as they stand (pure counting over two queries)."""
    nominee_ids = list(poll.nominations.order_by("created_at", "pk").values_list("pk", flat=True))
    ranks = (
        BallotRank.objects.filter(ballot__poll=poll)
        .order_by("ballot_id", "rank")
        .values_list("ballot_id", "nomination_id")
    )
    ballots: dict[int, list[int]] = {}
    for ballot_id, nomination_id in ranks:
        ballots.setdefault(ballot_id, []).append(nomination_id)
    count = counting.count_single_vote if poll.mode == PollMode.SINGLE else counting.count_instant_runoff
    return count(nominee_ids, ballots.values())


def rounds_as_json(outcome: counting.Outcome) -> list[dict]:
    return [
        {
            "tallies": {str(key): value for key, value in round_.tallies.items()},
            "exhausted": round_.exhausted,
            "eliminated": round_.eliminated,
            "tie_break": round_.tie_break,
        }
        for round_ in outcome.rounds
    ]


def poll_close(*, poll_id: int, now: datetime | None = None) -> bool:
    """Count and close the poll if its voting has ended; False when not yet, or already closed.

    Exactly once: the poll's row is locked and `closed_at` checked under the lock, so two workers (or
    a worker and the sweep) never both count it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        poll = Poll.objects.select_for_update(of=("self",)).select_related("club").filter(pk=poll_id).first()
        if poll is None or poll.closed_at is not None or now < poll.voting_closes_at:
            return False
        outcome = count_ballots(poll)
        poll.closed_at = now
        poll.winner_id = outcome.winner
        poll.rounds = rounds_as_json(outcome)
        poll.ballots_counted = outcome.ballots_counted
        poll.save(update_fields=["closed_at", "winner", "rounds", "ballots_counted"])
        winner = Nomination.objects.select_related("book").filter(pk=outcome.winner).first()
        for member in _members(poll.club):
            message = (
                f"{poll.club.name} chose its next book: “{winner.book.title}”."
                if winner
                else f"{poll.club.name}'s poll “{poll.title}” closed without votes."
            )
            notify(
                recipient=member,
                kind=NotificationKind.POLL_RESULT,
                message=message,
                url=poll.get_absolute_url(),
                dedupe_key=f"poll-result:{poll.pk}:{member.pk}",
            )
    return True


def polls_close_due(now: datetime | None = None) -> int:
    """The sweep: close every poll whose voting has ended. Returns how many this call closed."""
    now = now or timezone.now()
    return sum(poll_close(poll_id=pk, now=now) for pk in Poll.objects.due(now).values_list("pk", flat=True))


def polls_remind_closing(now: datetime | None = None) -> int:
    """The sweep: a day before voting closes, remind the members who have not voted (once each)."""
    now = now or timezone.now()
    sent = 0
    due = Poll.objects.open().filter(
        closing_reminder_sent_at__isnull=True,
        nominations_close_at__lte=now,
        voting_closes_at__gt=now,
        voting_closes_at__lte=now + CLOSING_REMINDER_LEAD,
    )
    for poll_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            poll = (
                Poll.objects.select_for_update(of=("self",))
                .select_related("club")
                .filter(pk=poll_id, closing_reminder_sent_at__isnull=True)
                .first()
            )
            if poll is None:
                continue
            voted = set(poll.ballots.values_list("voter_id", flat=True))
            for member in _members(poll.club):
                if member.pk in voted:
                    continue
                sent += (
                    notify(
                        recipient=member,
                        kind=NotificationKind.POLL_CLOSING,
                        message=(
                            f"Voting in {poll.club.name}'s poll “{poll.title}” closes "
                            f"{local_time(member, poll.voting_closes_at)}: rank the books you'd like to read."
                        ),
                        url=poll.get_absolute_url(),
                        dedupe_key=f"poll-closing:{poll.pk}:{member.pk}",
                    )
                    is not None
                )
            poll.closing_reminder_sent_at = now
            poll.save(update_fields=["closing_reminder_sent_at"])
    return sent
