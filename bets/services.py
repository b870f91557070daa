"""Every write to points and bets. Views, the API, the admin and the tasks call these.

Invariants: a balance changes only together with one ledger row, in one transaction, with the
account row locked (`select_for_update`); awards and settlements carry a unique key.

Lock order. Every transaction that locks several rows (here, in clubs/services.py, meetings/services.py
and social/services.py) takes them in this order, skipping the levels it does not need, so two
transactions never wait on each other in a circle:

    user (deleting an account) → club → membership → meeting(s) by id → attendance → bet(s) by id
    → account(s) by user id

- A row must be locked before the transaction inserts a row that references it (a ledger entry
  references its meeting and bet): PostgreSQL makes such an insert wait for the referenced row's
  lock, so an insert is a lock request too.
- Lock only the rows you mean: `select_for_update(of=("self",))` when the query also
  `select_related`s, since FOR UPDATE would otherwise lock the joined club, book or user rows as
  well, out of order.
- Leaving a club (and removing a member) locks the club, then the club's coming meetings, before it
  touches the member's attendances, bets and account; bet operations start at the meeting.
tests/bets/test_lock_order.py races them on PostgreSQL.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from bets.models import (
    CHECK_IN_AWARD,
    FINISH_AWARD,
    MAX_STAKE,
    MIN_RUNNERS,
    SIGNUP_BONUS,
    Account,
    Bet,
    BetStatus,
    LedgerEntry,
    Reason,
)
from bets.payouts import BetLine, Outcome, settle
from booky.errors import Conflict, DomainError, NotAllowed, NotFound
from meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from social.models import NotificationKind
from social.notifications import notify


class InsufficientPoints(DomainError):
    code = "insufficient_points"


class BetsClosed(Conflict):
    code = "bets_closed"


# --- accounts and the ledger ----------------------------------------------------------------------


def account_open(*, user) -> Account:
    """The user's account, created with the welcome bonus the first time (exactly once per user)."""
    account = Account.objects.filter(user=user).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account = Account.objects.create(user=user)
            _post(account=account, amount=SIGNUP_BONUS, reason=Reason.SIGNUP, award_key=f"signup:{user.pk}")
    except IntegrityError:  # opened concurrently by another request: use theirs
        account = Account.objects.get(user=user)
    return account


def _locked_accounts(users) -> dict[int, Account]:
    """Lock the accounts of `users` in user-id order, opening missing ones first."""
    user_ids = sorted({user.pk for user in users})
    for user in users:
        account_open(user=user)
    return {
        a.user_id: a
        for a in Account.objects.select_for_update().filter(user_id__in=user_ids).order_by("user_id")
    }


def _post(
    *,
    account: Account,
    amount: int,
    reason: str,
    meeting=None,
    bet=None,
    award_key=None,
    note="",
    created_by=None,
) -> LedgerEntry:
    """Change a locked account's balance by `amount` and record it. Callers hold the row lock."""
    if amount == 0:
        raise DomainError("A ledger entry must move at least one point.")
    new_balance = account.balance + amount
    if new_balance < 0:
        raise InsufficientPoints(
            f"Not enough points: the balance is {account.balance}, and this needs {-amount}."
        )
    Account.objects.filter(pk=account.pk).update(balance=new_balance)
    account.balance = new_balance
    return LedgerEntry.objects.create(
        account=account,
        amount=amount,
        balance_after=new_balance,
        reason=reason,
        meeting=meeting,
        bet=bet,
        award_key=award_key,
        note=note,
        created_by=created_by,
    )


def _award_once(*, user, amount: int, reason: str, award_key: str, meeting=None) -> LedgerEntry | None:
    """Mint an award unless the key was paid already; returns None when it was."""
    if LedgerEntry.objects.filter(award_key=award_key).exists():
        return None
    account = _locked_accounts([user])[user.pk]
    try:
        with transaction.atomic():
            return _post(account=account, amount=amount, reason=reason, award_key=award_key, meeting=meeting)
    except IntegrityError:  # paid by a concurrent transaction between our check and insert
        account.refresh_from_db()
        return None


@transaction.atomic
def meeting_has_a_race(meeting: Meeting) -> bool:
    """Awards need a race: at least MIN_RUNNERS members going. A club of one earns no points alone."""
    going = Attendance.objects.filter(
        meeting=meeting, rsvp=Rsvp.GOING, user__memberships__club_id=meeting.club_id
    ).count()
    return going >= MIN_RUNNERS


def points_award_check_in(*, user, meeting: Meeting) -> LedgerEntry | None:
    """+10 for being checked in at a meeting, once per member and meeting (callers check meeting_has_a_race)."""
    return _award_once(
        user=user,
        amount=CHECK_IN_AWARD,
        reason=Reason.CHECK_IN,
        award_key=f"checkin:{meeting.pk}:{user.pk}",
        meeting=meeting,
    )


@transaction.atomic
def points_adjust(*, actor, user, amount: int, note: str) -> LedgerEntry:
    """A moderator grants (amount > 0) or takes (amount < 0) points, with a mandatory reason."""
    if not (actor and actor.is_authenticated and actor.is_staff and actor.has_perm("bets.add_ledgerentry")):
        raise NotAllowed("Only moderators can adjust points.")
    note = (note or "").strip()
    if not note:
        raise DomainError("Say why you adjust the points: the reason is shown in the member's ledger.")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_STAKE:
        raise DomainError(
            f"The amount must be a whole number of points between -{MAX_STAKE} and {MAX_STAKE}, not 0."
        )
    account = _locked_accounts([user])[user.pk]
    return _post(account=account, amount=amount, reason=Reason.ADJUSTMENT, note=note[:500], created_by=actor)


# --- bets -----------------------------------------------------------------------------------------


def _check_amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DomainError("The amount must be a whole number of points.", code="invalid_amount")
    if amount < 1:
        raise DomainError("Bet at least 1 point.", code="invalid_amount")
    if amount > MAX_STAKE:
        raise DomainError(f"Bets are capped at {MAX_STAKE} points.", code="invalid_amount")
    return amount


def _lock_open_meeting(meeting: Meeting, now: datetime) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",)).select_related("club").filter(pk=meeting.pk).first()
    )
    if locked is None:
        raise NotFound("This meeting no longer exists.")
    if locked.status != MeetingStatus.SCHEDULED:
        raise BetsClosed(f"This meeting is {locked.get_status_display().lower()}: bets are closed.")
    if now >= locked.starts_at or locked.bets_resolved_at is not None:
        raise BetsClosed("Bets closed when the meeting started.")
    return locked


def _check_going(meeting: Meeting, *, bettor, horse) -> None:
    # Going, and still a member: someone who left the club is neither a bettor nor a horse.
    going = set(
        Attendance.objects.filter(
            meeting=meeting,
            rsvp=Rsvp.GOING,
            user__in=[bettor, horse],
            user__memberships__club_id=meeting.club_id,
        ).values_list("user_id", flat=True)
    )
    if bettor.pk not in going:
        raise NotAllowed("RSVP “going” to this meeting before you bet.", code="not_going")
    if horse.pk not in going:
        raise DomainError(
            f"{horse.name} is not going to this meeting: bet on someone who is.", code="horse_not_going"
        )


@transaction.atomic
def bet_place(*, bettor, meeting: Meeting, horse, amount: int, now: datetime | None = None) -> Bet:
    """Stake `amount` points that `horse` finishes before the meeting starts."""
    now = now or timezone.now()
    amount = _check_amount(amount)
    meeting = _lock_open_meeting(meeting, now)
    _check_going(meeting, bettor=bettor, horse=horse)
    if Bet.objects.active().filter(meeting=meeting, bettor=bettor).exists():
        raise Conflict("You already have a bet on this meeting: change it instead.", code="already_bet")
    account = _locked_accounts([bettor])[bettor.pk]
    if amount > account.balance:
        raise InsufficientPoints(f"You have {account.balance} points; you cannot bet {amount}.")
    bet = Bet.objects.create(meeting=meeting, bettor=bettor, horse=horse, amount=amount)
    _post(account=account, amount=-amount, reason=Reason.STAKE, meeting=meeting, bet=bet)
    return bet


def _lock_own_open_bet(*, bettor, bet: Bet, now: datetime) -> tuple[Bet, Meeting]:
    meeting = _lock_open_meeting(bet.meeting, now)
    locked = Bet.objects.select_for_update(of=("self",)).select_related("horse").filter(pk=bet.pk).first()
    if locked is None or locked.bettor_id != bettor.pk:
        raise NotFound("No such bet of yours.")
    if locked.status != BetStatus.OPEN:
        raise Conflict(f"This bet is {locked.get_status_display().lower()}.", code="bet_not_open")
    return locked, meeting


@transaction.atomic
def bet_change(
    *, bettor, bet: Bet, horse=None, amount: int | None = None, now: datetime | None = None
) -> Bet:
    """Change the horse and/or the amount until the start; only the difference moves."""
    now = now or timezone.now()
    bet, meeting = _lock_own_open_bet(bettor=bettor, bet=bet, now=now)
    new_horse = horse or bet.horse
    new_amount = bet.amount if amount is None else _check_amount(amount)
    _check_going(meeting, bettor=bettor, horse=new_horse)
    account = _locked_accounts([bettor])[bettor.pk]
    difference = new_amount - bet.amount
    if difference > account.balance:
        raise InsufficientPoints(
            f"You have {account.balance} more points to add; raising the bet to {new_amount} needs {difference}."
        )
    bet.horse, bet.amount = new_horse, new_amount
    bet.save(update_fields=["horse", "amount", "updated_at"])
    if difference:
        _post(account=account, amount=-difference, reason=Reason.STAKE_CHANGE, meeting=meeting, bet=bet)
    return bet


@transaction.atomic
def bet_withdraw(*, bettor, bet: Bet, now: datetime | None = None) -> Bet:
    """Take the bet back before the start; the whole stake returns."""
    now = now or timezone.now()
    bet, meeting = _lock_own_open_bet(bettor=bettor, bet=bet, now=now)
    account = _locked_accounts([bettor])[bettor.pk]
    bet.status = BetStatus.WITHDRAWN
    bet.save(update_fields=["status", "updated_at"])
    _post(account=account, amount=bet.amount, reason=Reason.WITHDRAWAL, meeting=meeting, bet=bet)
    return bet


# --- resolution -----------------------------------------------------------------------------------


def meeting_is_due(meeting: Meeting, now: datetime) -> bool:
    return meeting.bets_resolved_at is None and (
        meeting.status == MeetingStatus.CANCELLED or now >= meeting.starts_at
    )


@transaction.atomic
def meeting_resolve_bets(*, meeting_id: int, now: datetime | None = None) -> bool:
    """Settle every open bet of a started (or cancelled) meeting and pay the finishers' award, exactly
    once: the meeting row lock serializes concurrent resolvers, `bets_resolved_at` makes later ones
    no-ops, and every payout carries a unique ledger key. Returns whether this call resolved it."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None or not meeting_is_due(meeting, now):
        return False
    cancelled = meeting.status == MeetingStatus.CANCELLED
    attendances = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting).select_related("user")}
    winners = {
        user_id
        for user_id, a in attendances.items()
        if a.finished_at is not None and a.finished_at <= meeting.starts_at
    }
    declined = {user_id for user_id, a in attendances.items() if a.rsvp == Rsvp.DECLINED}
    bets = list(
        Bet.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, status=BetStatus.OPEN)
        .select_related("bettor", "horse")
        .order_by("pk")
    )
    settlements = settle(
        [BetLine(b.pk, b.horse_id, b.amount, index) for index, b in enumerate(bets)],
        winners=winners,
        refunded_horses=declined,
        cancelled=cancelled,
    )
    by_id = {b.pk: b for b in bets}
    accounts = _locked_accounts([b.bettor for b in bets])
    for settlement in settlements:
        bet = by_id[settlement.bet_id]
        bet.status = {
            Outcome.WON: BetStatus.WON,
            Outcome.LOST: BetStatus.LOST,
            Outcome.REFUNDED: BetStatus.REFUNDED,
        }[settlement.outcome]
        bet.payout, bet.paid = settlement.payout, True
        bet.save(update_fields=["status", "payout", "paid", "updated_at"])
        if settlement.payout:
            reason = Reason.PAYOUT if settlement.outcome == Outcome.WON else Reason.REFUND
            _post(
                account=accounts[bet.bettor_id],
                amount=settlement.payout,
                reason=reason,
                meeting=meeting,
                bet=bet,
                award_key=f"settle:{bet.pk}",
            )
    if not cancelled and meeting_has_a_race(meeting):
        for user_id in sorted(winners):
            _award_once(
                user=attendances[user_id].user,
                amount=FINISH_AWARD,
                reason=Reason.FINISHED,
                award_key=f"finish:{meeting.pk}:{user_id}",
                meeting=meeting,
            )
    Meeting.objects.filter(pk=meeting.pk).update(bets_resolved_at=now)
    for bet in bets:
        _notify_settled(bet, meeting, horse_declined=bet.horse_id in declined)
    return True


def _notify_settled(bet: Bet, meeting: Meeting, *, horse_declined: bool) -> None:
    """Tell the bettor how their bet ended, once per bet (the key is the bet's settlement)."""
    title = f"“{meeting.display_title}”"
    horse = bet.horse.name
    if bet.status == BetStatus.WON:
        kind = NotificationKind.BET_WON
        message = f"You won {bet.payout} points: {horse} finished {title} in time (you staked {bet.amount})."
    elif bet.status == BetStatus.LOST:
        kind = NotificationKind.BET_WON
        message = f"Your bet on {horse} for {title} lost: the {bet.amount} points you staked are gone."
    else:
        if meeting.status == MeetingStatus.CANCELLED:
            why = "the meeting was cancelled"
        elif horse_declined:
            why = f"{horse} said they would not come"
        else:
            why = "nobody finished the book in time"
        kind = NotificationKind.BET_REFUNDED
        message = f"Your {bet.amount} points on {horse} for {title} came back: {why}."
    notify(
        recipient=bet.bettor,
        kind=kind,
        message=message,
        url=meeting.get_absolute_url(),
        dedupe_key=f"bet:{bet.pk}:{bet.status}",
    )


@transaction.atomic
def member_left_club(*, user, club, now: datetime | None = None) -> int:
    """A member left (or was removed from) `club`: in its meetings that have not started they are no
    longer going (so bets on them are refunded at the start) and their own open bets are withdrawn,
    stake returned. Returns how many bets were withdrawn."""
    now = now or timezone.now()
    # The lock order (see the top of this module): the caller holds the club; then the meetings,
    # before the attendances, bets and account below, as every bet operation does.
    upcoming = {
        meeting.pk: meeting
        for meeting in Meeting.objects.select_for_update()
        .filter(club=club, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .order_by("pk")
    }
    if not upcoming:
        return 0
    Attendance.objects.filter(meeting__in=list(upcoming), user=user).exclude(rsvp=Rsvp.DECLINED).update(
        rsvp=Rsvp.DECLINED, version=F("version") + 1
    )
    bets = list(
        Bet.objects.select_for_update()
        .filter(meeting__in=list(upcoming), bettor=user, status=BetStatus.OPEN)
        .order_by("pk")
    )
    if not bets:
        return 0
    account = _locked_accounts([user])[user.pk]
    for bet in bets:
        Bet.objects.filter(pk=bet.pk).update(status=BetStatus.WITHDRAWN)
        meeting = upcoming[bet.meeting_id]
        _post(account=account, amount=bet.amount, reason=Reason.WITHDRAWAL, meeting=meeting, bet=bet)
    return len(bets)
