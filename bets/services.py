"""Every write to points and bets. Views, the API, the admin and the tasks call these.

Invariants: a balance changes only together with one ledger row, in one transaction, with the
account row locked (`select_for_update`); awards and settlements carry a unique key.

Lock order. Every transaction that locks several rows (here, in clubs/services.py, meetings/services.py
and booky/site/accounts.py) takes them in this order, skipping the levels it does not need, so two
transactions never wait on each other in a circle:

    user (deleting an account) → club → membership → meeting(s) by id → attendance → bet(s) by id
    → account(s) by user id → standings (club rows: ClubScore, then ClubScoreDay)

- The standings (bets/standings.py) are written by `_post` with each ledger row, and a club's rows
  are shared by every posting to its meetings: so a transaction locks every account it will post to
  before its first post (`_locked_accounts` of them all), never one more after posting.

- A row must be locked before the transaction inserts a row that references it (a ledger entry
  references its meeting and bet): PostgreSQL makes such an insert wait for the referenced row's
  lock, so an insert is a lock request too.
- Lock only the rows you mean: `select_for_update(of=("self",))` when the query also
  `select_related`s, since FOR UPDATE would otherwise lock the joined club, book or user rows as
  well, out of order.
- Leaving a club (and removing a member) locks the club, then the club's coming meetings, before it
  touches the member's attendances, bets and account; bet operations start at the meeting.
- meetings/services.py cannot call bets: it sends its events (meetings/events.py) once it holds the
  meeting and has written the attendances, and the receivers in bets/receivers.py go on from the
  bets, in the same transaction.
tests/bets/test_lock_order.py races them on PostgreSQL.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.urls import reverse
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
from bets.standings import standings_add
from booky.core.errors import Conflict, DomainError, NotAllowed, NotFound
from meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from social.models import NotificationKind
from social.notifications import notify


class InsufficientPoints(DomainError):
    code = "insufficient_points"


class BetsClosed(Conflict):
    code = "bets_closed"


class StaleBet(Conflict):
    """The bet changed (in another tab or device) since the caller saw it; `current` is the bet now."""

    code = "stale_version"

    def __init__(self, message: str, *, current: Bet):
        super().__init__(message)
        self.current = current


# --- accounts and the ledger ----------------------------------------------------------------------


def _account_of(*, user) -> Account:
    """The user's account, created empty the first time: points come only through ledger rows."""
    account = Account.objects.filter(user=user).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(user=user)
    except IntegrityError:  # opened concurrently by another request: use theirs
        return Account.objects.get(user=user)


def points_award_signup(*, user) -> LedgerEntry | None:
    """Mint the welcome bonus, once per user whatever happens (its award key). Called when the member's
    email address is verified, or at sign-up when the site does not verify addresses, so throwaway
    accounts cannot feed one account through losing bets. Returns None when it was minted before."""
    return _award_once(user=user, amount=SIGNUP_BONUS, reason=Reason.SIGNUP, award_key=f"signup:{user.pk}")


@transaction.atomic
def account_open(*, user) -> Account:
    """The account of a member who may have the welcome bonus (verified address, demo data): opened, with
    the bonus minted exactly once however often this is called."""
    points_award_signup(user=user)
    return Account.objects.get(user=user)


def _locked_accounts(users) -> dict[int, Account]:
    """Lock the accounts of `users` in user-id order, opening missing ones first."""
    user_ids = sorted({user.pk for user in users})
    for user in users:
        _account_of(user=user)
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
    entry = LedgerEntry.objects.create(
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
    standings_add(entry)
    return entry


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
def meeting_has_a_race(meeting: Meeting, *, not_counting=()) -> bool:
    """Awards need a race: at least MIN_RUNNERS members going, leaving out the users `not_counting`
    (members checked in without an RSVP). A club of one earns no points alone."""
    going = Attendance.objects.filter(
        meeting=meeting, rsvp=Rsvp.GOING, user__memberships__club_id=meeting.club_id
    )
    if not_counting:
        going = going.exclude(user__in=not_counting)
    return going.count() >= MIN_RUNNERS


@transaction.atomic
def points_award_check_ins(*, users, meeting: Meeting) -> None:
    """+10 for each of `users` checked in at `meeting`, once per member and meeting; their accounts are
    locked together first (the lock order), so awarding one never waits for the next one's account."""
    _locked_accounts(users)
    for user in sorted(users, key=lambda user: user.pk):
        points_award_check_in(user=user, meeting=meeting)


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
    entry = _post(account=account, amount=amount, reason=Reason.ADJUSTMENT, note=note[:500], created_by=actor)
    if amount > 0:
        change = f"gave you {amount} point{pluralize(amount)}"
    else:
        change = f"took {-amount} point{pluralize(-amount)} from you"
    notify(
        recipient=user,
        kind=NotificationKind.POINTS_ADJUSTED,
        actor=actor,
        message=f"Booky's moderators {change}: “{entry.note}”. Your balance is now {entry.balance_after}.",
        url=reverse("bets:points"),
    )
    return entry


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
    if Bet.objects.live().filter(meeting=meeting, bettor=bettor).exists():
        raise Conflict("You already have a bet on this meeting: change it instead.", code="already_bet")
    account = _locked_accounts([bettor])[bettor.pk]
    if amount > account.balance:
        raise InsufficientPoints(f"You have {account.balance} points; you cannot bet {amount}.")
    bet = Bet.objects.create(meeting=meeting, bettor=bettor, horse=horse, amount=amount)
    _post(account=account, amount=-amount, reason=Reason.STAKE, meeting=meeting, bet=bet)
    return bet


def _lock_own_open_bet(
    *, bettor, bet: Bet, now: datetime, expected_version: int | None
) -> tuple[Bet, Meeting]:
    meeting = _lock_open_meeting(bet.meeting, now)
    locked = Bet.objects.select_for_update(of=("self",)).select_related("horse").filter(pk=bet.pk).first()
    if locked is None or locked.bettor_id != bettor.pk:
        raise NotFound("No such bet of yours.")
    if expected_version is not None and locked.version != expected_version:
        raise StaleBet(
            "Your bet changed in another tab or device. Here it is as it stands now; change it again if "
            "you still want to.",
            current=locked,
        )
    if locked.status != BetStatus.OPEN:
        raise Conflict(f"This bet is {locked.get_status_display().lower()}.", code="bet_not_open")
    return locked, meeting


@transaction.atomic
def bet_change(
    *,
    bettor,
    bet: Bet,
    horse=None,
    amount: int | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Bet:
    """Change the horse and/or the amount until the start, if the bet is still at `expected_version`
    (when given); only the difference moves."""
    now = now or timezone.now()
    bet, meeting = _lock_own_open_bet(bettor=bettor, bet=bet, now=now, expected_version=expected_version)
    new_horse = horse or bet.horse
    new_amount = bet.amount if amount is None else _check_amount(amount)
    _check_going(meeting, bettor=bettor, horse=new_horse)
    account = _locked_accounts([bettor])[bettor.pk]
    difference = new_amount - bet.amount
    if difference > account.balance:
        raise InsufficientPoints(
            f"You have {account.balance} more points to add; raising the bet to {new_amount} needs {difference}."
        )
    if new_horse.pk == bet.horse_id and new_amount == bet.amount:
        return bet  # nothing changes, so the version stays
    bet.horse, bet.amount = new_horse, new_amount
    bet.version += 1
    bet.save(update_fields=["horse", "amount", "version", "updated_at"])
    if difference:
        _post(account=account, amount=-difference, reason=Reason.STAKE_CHANGE, meeting=meeting, bet=bet)
    return bet


@transaction.atomic
def bet_withdraw(
    *, bettor, bet: Bet, expected_version: int | None = None, now: datetime | None = None
) -> Bet:
    """Take the bet back before the start, if it is still at `expected_version` (when given); the whole
    stake returns."""
    now = now or timezone.now()
    bet, meeting = _lock_own_open_bet(bettor=bettor, bet=bet, now=now, expected_version=expected_version)
    account = _locked_accounts([bettor])[bettor.pk]
    bet.status = BetStatus.WITHDRAWN
    bet.version += 1
    bet.save(update_fields=["status", "version", "updated_at"])
    _post(account=account, amount=bet.amount, reason=Reason.WITHDRAWAL, meeting=meeting, bet=bet)
    return bet


@transaction.atomic
def bets_refund_not_running(*, meeting: Meeting, horse, why: str) -> int:
    """`horse` no longer runs in `meeting` (answered "not going", left the club): every open bet on them
    is refunded now, not at the start, so the pool and the odds count only live stakes. Each stake
    returns with a ledger row and its bettor is told `why`. Lock order as everywhere: the meeting, its
    bets, then the accounts in user-id order. Returns how many bets were refunded."""
    locked = Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting.pk).first()
    if locked is None or locked.bets_resolved_at is not None:
        return 0  # settled: settlement refunded them already
    bets = list(
        Bet.objects.select_for_update(of=("self",))
        .filter(meeting=locked, horse=horse, status=BetStatus.OPEN)
        .select_related("bettor", "horse")
        .order_by("pk")
    )
    return _refund_now(bets=bets, meeting=locked, why=why)


def _refund_now(*, bets: list[Bet], meeting: Meeting, why: str) -> int:
    """Refund open `bets` of `meeting` before settlement: each stake comes back once (its settlement
    key), the ledger row says `why`, and the bettor is told in the words of Bet.result_text. The bets
    end refunded, so they leave the pool and the one-bet rule lets their bettor bet again. The caller
    holds the meeting and the bets (the lock order); the accounts are locked here, in user-id order."""
    accounts = _locked_accounts([bet.bettor for bet in bets])
    for bet in bets:
        bet.status, bet.payout, bet.paid = BetStatus.REFUNDED, bet.amount, True
        bet.version += 1
        bet.save(update_fields=["status", "payout", "paid", "version", "updated_at"])
        _post(
            account=accounts[bet.bettor_id],
            amount=bet.amount,
            reason=Reason.REFUND,
            meeting=meeting,
            bet=bet,
            award_key=f"settle:{bet.pk}",  # this stake comes back once, whatever happens later
            note=why,
        )
        # Before the start a refunded bettor may bet again (on another horse, or on the new terms).
        _notify_settled(bet, meeting, why=f"{why}. You can bet again")
    return len(bets)


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
    # Through the meeting's own manager, so each attendance's finish_status reads this locked row.
    attendances = {a.user_id: a for a in meeting.attendances.select_related("user")}
    winners = {user_id for user_id, a in attendances.items() if a.finished_in_time}
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
    # The finishers' too, though their awards come after the payouts: every account before any post.
    accounts = _locked_accounts([b.bettor for b in bets] + [attendances[user_id].user for user_id in winners])
    for settlement in settlements:
        bet = by_id[settlement.bet_id]
        bet.status = {
            Outcome.WON: BetStatus.WON,
            Outcome.LOST: BetStatus.LOST,
            Outcome.REFUNDED: BetStatus.REFUNDED,
        }[settlement.outcome]
        bet.payout, bet.paid, bet.payout_remainder = settlement.payout, True, settlement.remainder
        bet.version += 1
        bet.save(update_fields=["status", "payout", "paid", "payout_remainder", "version", "updated_at"])
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
        _notify_settled(
            bet, meeting, why=_refund_reason(bet, meeting, horse_declined=bet.horse_id in declined)
        )
    return True


def _refund_reason(bet: Bet, meeting: Meeting, *, horse_declined: bool) -> str:
    if meeting.status == MeetingStatus.CANCELLED:
        return "the meeting was cancelled"
    if horse_declined:
        return f"{bet.horse.name} said they would not come"
    return "nobody finished the book in time"


def _notify_settled(bet: Bet, meeting: Meeting, *, why: str = "") -> None:
    """Tell the bettor how their bet ended, in the words of Bet.result_text (gross and net), once per
    bet (the key is the bet's settlement)."""
    title = f"“{meeting.display_title}”"
    horse = bet.horse.name
    # The figures first, so a long title or name cut at the notification's length never hides them.
    result = bet.result_text
    if bet.remainder_text:
        result += f", including the {bet.remainder_text}"
    if bet.status == BetStatus.WON:
        kind = NotificationKind.BET_WON
        message = f"Bet {result} on {title}: {horse} finished in time."
    elif bet.status == BetStatus.LOST:
        kind = NotificationKind.BET_WON
        message = f"Bet {result} on {title}: {horse} did not finish in time."
    else:
        kind = NotificationKind.BET_REFUNDED
        message = f"Bet {result} on {title}: {why}."
    notify(
        recipient=bet.bettor,
        kind=kind,
        message=message,
        url=meeting.get_absolute_url(),
        dedupe_key=f"bet:{bet.pk}:{bet.status}",
    )


@transaction.atomic
def meeting_refund_open_bets(*, meeting: Meeting, why: str) -> int:
    """Give back every open stake of `meeting` because its hosts changed the race the bets were placed
    on (`why`, e.g. "The hosts moved the start earlier"): a ledger row and a notification per bet.
    The bets end refunded, so their stakes leave the pool and each bettor may bet again on the new
    terms (the one-bet rule skips refunded bets). The caller holds the meeting's row lock (meeting,
    then bets, then accounts, as bet_change).
    Returns how many bets were refunded."""
    bets = list(
        Bet.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, status=BetStatus.OPEN)
        .select_related("bettor", "horse")
        .order_by("pk")
    )
    # The notification reads "Bet refunded 20 on “…”: The hosts moved the start earlier. You can bet again."
    return _refund_now(bets=bets, meeting=meeting, why=why)


@transaction.atomic
def member_left_club(*, user, club, now: datetime | None = None) -> int:
    """A member left (or was removed from) `club`: in its meetings that have not started they are no
    longer going, bets on them are refunded at once, and their own open bets are withdrawn, stake
    returned. Returns how many bets were withdrawn."""
    now = now or timezone.now()
    # The lock order (see the top of this module): the caller holds the club; then the meetings in id
    # order, before the attendances, bets and accounts below, as every bet operation does.
    upcoming = Meeting.objects.filter(club=club, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
    upcoming_ids = list(upcoming.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if not upcoming_ids:
        return 0
    Attendance.objects.filter(meeting_id__in=upcoming_ids, user=user).exclude(rsvp=Rsvp.DECLINED).update(
        rsvp=Rsvp.DECLINED, version=F("version") + 1
    )
    on_me = Bet.objects.filter(meeting_id__in=upcoming_ids, horse=user, status=BetStatus.OPEN)
    runs_in = on_me.order_by("meeting_id").values_list("meeting_id", flat=True).distinct()
    # Every account this leave touches (mine and those of the bettors on me), at once in user-id
    # order: locking them meeting by meeting and mine last could wait in a circle with a settlement
    # elsewhere that pays two of us. The meeting locks above keep this set from changing.
    bettors = set(on_me.values_list("bettor_id", flat=True))
    if bettors:
        list(Account.objects.select_for_update().filter(user_id__in=bettors | {user.pk}).order_by("user_id"))
    for meeting in Meeting.objects.filter(pk__in=list(runs_in)).order_by("pk"):
        bets_refund_not_running(meeting=meeting, horse=user, why=f"{user.name} left {club.name}")
    own_bets = list(
        Bet.objects.select_for_update(of=("self",))
        .filter(meeting_id__in=upcoming_ids, bettor=user, status=BetStatus.OPEN)
        .select_related("meeting")
        .order_by("pk")
    )
    if not own_bets:
        return 0
    account = _locked_accounts([user])[user.pk]
    for bet in own_bets:
        Bet.objects.filter(pk=bet.pk).update(status=BetStatus.WITHDRAWN, version=F("version") + 1)
        _post(account=account, amount=bet.amount, reason=Reason.WITHDRAWAL, meeting=bet.meeting, bet=bet)
    return len(own_bets)
