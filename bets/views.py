"""Pages for points and bets: the meeting page's "Bets" section, "My points" and the leaderboards.

Reads come from bets.selectors and bets.leaderboards (the same ones the API uses); every write goes
through bets.services, whose DomainErrors show as form errors (422, or 409 for a conflict).
What the "Bets" section shows comes from bets.sections, which the meeting page (booky.site) uses too.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from bets import leaderboards, selectors, services
from bets.charts import balance_chart
from bets.forms import BetForm, BetVersionForm
from bets.models import BetStatus, Reason
from bets.sections import bets_context
from booky.core.confirm import Confirmation, confirm_page
from booky.core.errors import Conflict, DomainError
from booky.core.etags import fragment_etag, not_modified, with_fragment_etag
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from booky.core.numbers import Paginator
from clubs.models import Membership
from meetings import permissions
from meetings.models import Meeting
from social.permissions import mark_profile_linkable

LEDGER_PER_PAGE = 25
LEADERBOARD_PER_PAGE = 25

# Service error codes that belong to one form field, so the message shows next to it.
ERROR_FIELDS = {
    "invalid_amount": "amount",
    "insufficient_points": "amount",
    "horse_not_going": "horse",
}


def _status_for(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 422


# --- the meeting page's "Bets" section ------------------------------------------------------------


def _visible_meeting(request, pk: int) -> Meeting:
    meetings = Meeting.objects.visible_to(request.user).select_related("club", "book")
    if request.user.is_authenticated:
        # Read with the meeting, so naming the horses for a member costs no query of its own.
        mine = Membership.objects.filter(club=OuterRef("club"), user=request.user)
        meetings = meetings.annotate(viewer_is_member=Exists(mine))
    meeting = meetings.filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def _bets_response(request, meeting: Meeting, *, status: int = 200, **extra):
    form = extra.pop("form", None)
    context = bets_context(request, meeting, form=form)
    context.update(extra)
    template = "bets/_meeting_bets.html" if _is_fragment_request(request) else "bets/meeting_bets_page.html"
    return TemplateResponse(request, template, context, status=status)


def _done(request, meeting: Meeting, message: str):
    """Success: the section swapped in place for htmx, a redirect back to the meeting otherwise."""
    if _is_fragment_request(request):
        return _bets_response(request, meeting, bet_message=message)
    messages.success(request, message)
    return redirect(f"{meeting.get_absolute_url()}#bets")


def _failed(request, meeting: Meeting, form: BetForm | None, error: DomainError):
    """A field's error shows next to the field; anything else above the section (the form may be gone,
    e.g. once bets have closed)."""
    field = ERROR_FIELDS.get(error.code)
    if form is not None and field in form.fields:
        form.add_error(field, error.message)
        return _bets_response(request, meeting, form=form, status=_status_for(error))
    return _bets_response(request, meeting, form=form, status=_status_for(error), bet_error=error.message)


def _require_member(request, meeting: Meeting) -> None:
    if not permissions.can_take_part(request.user, meeting):
        raise PermissionDenied("Only members of the club can bet on its meetings.")


def _bet_form(request, meeting: Meeting, my_bet) -> BetForm:
    board = selectors.odds_board(meeting)
    available = selectors.balance_of(request.user) + (my_bet.amount if my_bet else 0)
    return BetForm(request.POST, horses=[row.horse for row in board.horses if row.going], available=available)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def meeting_bets(request, pk: int):
    """GET: the section alone (polled with the race; 304 when nothing it shows changed). POST: place
    my bet."""
    if request.method in ("GET", "HEAD") and _is_fragment_request(request):
        etag = fragment_etag("bets", *selectors.bets_fingerprint(request.user, pk))
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        return with_fragment_etag(_bets_response(request, _visible_meeting(request, pk)), etag)
    meeting = _visible_meeting(request, pk)
    if request.method in ("GET", "HEAD"):
        return redirect(f"{meeting.get_absolute_url()}#bets")
    return _place(request, meeting)


@login_required_page
def _place(request, meeting: Meeting):
    _require_member(request, meeting)
    form = _bet_form(request, meeting, None)
    if not form.is_valid():
        return _bets_response(request, meeting, form=form, status=422)
    try:
        bet = services.bet_place(
            bettor=request.user,
            meeting=meeting,
            horse=form.cleaned_data["horse"],
            amount=form.cleaned_data["amount"],
        )
    except DomainError as error:
        return _failed(request, meeting, form, error)
    return _done(request, meeting, f"Bet placed: {bet.amount} points on {bet.horse.name}.")


def _open_bet_of(request, meeting: Meeting):
    my_bet = selectors.bet_of(request.user, meeting)
    return my_bet if my_bet is not None and my_bet.status == BetStatus.OPEN else None


def _check_fresh(bet, shown: BetVersionForm) -> None:
    """The page must have shown this very bet at its current version; otherwise another tab or device
    changed it since, and the section comes back (409) with the bet as it is now."""
    if (
        not shown.is_valid()
        or shown.cleaned_data["bet"] != bet.pk
        or shown.cleaned_data["version"] != bet.version
    ):
        raise services.StaleBet(
            "Your bet changed in another tab or device. Here it is as it stands now; change it again if "
            "you still want to.",
            current=bet,
        )


def _stale(request, meeting: Meeting, error: services.StaleBet):
    # A fresh form, filled in with the current bet: what was typed against the old one is not kept.
    return _bets_response(request, meeting, status=409, bet_error=error.message)


@require_POST
@login_required_page
def change(request, pk: int):
    meeting = _visible_meeting(request, pk)
    _require_member(request, meeting)
    my_bet = _open_bet_of(request, meeting)
    form = _bet_form(request, meeting, my_bet)
    if my_bet is None:
        return _failed(request, meeting, None, Conflict("You have no bet on this meeting to change."))
    if not form.is_valid():
        return _bets_response(request, meeting, form=form, status=422)
    try:
        _check_fresh(my_bet, form)
        bet = services.bet_change(
            bettor=request.user,
            bet=my_bet,
            horse=form.cleaned_data["horse"],
            amount=form.cleaned_data["amount"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleBet as error:
        return _stale(request, meeting, error)
    except DomainError as error:
        return _failed(request, meeting, form, error)
    return _done(request, meeting, f"Bet changed: {bet.amount} points on {bet.horse.name}.")


def _withdraw_confirmation(request, meeting: Meeting, my_bet) -> Confirmation:
    """ "Withdraw your bet?", carrying the bet and version the page showed (so a stale tab still gets
    its 409 when it confirms), or why there is nothing to withdraw."""
    shown = BetVersionForm(request.GET)
    shown_bet = shown.cleaned_data.get("bet") if shown.is_valid() else None
    shown_version = shown.cleaned_data.get("version") if shown.is_valid() else None
    fields = ()
    if my_bet is not None:
        fields = (
            ("bet", str(shown_bet if shown_bet is not None else my_bet.pk)),
            ("version", str(shown_version if shown_version is not None else my_bet.version)),
        )
    return Confirmation(
        question="Withdraw your bet?",
        detail=(
            f"Your {my_bet.amount} point{'s' if my_bet.amount != 1 else ''} on {my_bet.horse.name} "
            f"{'come' if my_bet.amount != 1 else 'comes'} back to your balance. You can bet again until the "
            "meeting starts."
            if my_bet is not None
            else ""
        ),
        action_url=reverse("bets:withdraw", args=[meeting.pk]),
        button="Withdraw my bet",
        cancel_url=f"{meeting.get_absolute_url()}#bets",
        fields=fields,
        problem="" if my_bet is not None else "You have no open bet on this meeting to withdraw.",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def withdraw(request, pk: int):
    """GET: "Withdraw your bet?" (the no-JavaScript form lands here); POST: withdraw it."""
    meeting = _visible_meeting(request, pk)
    _require_member(request, meeting)
    my_bet = _open_bet_of(request, meeting)
    if request.method != "POST":
        return confirm_page(request, _withdraw_confirmation(request, meeting, my_bet))
    if my_bet is None:
        return _failed(request, meeting, None, Conflict("You have no bet on this meeting to withdraw."))
    try:
        shown = BetVersionForm(request.POST)
        _check_fresh(my_bet, shown)
        bet = services.bet_withdraw(
            bettor=request.user, bet=my_bet, expected_version=shown.cleaned_data["version"]
        )
    except services.StaleBet as error:
        return _stale(request, meeting, error)
    except DomainError as error:
        return _failed(request, meeting, None, error)
    return _done(request, meeting, f"Bet withdrawn: {bet.amount} points are back in your balance.")


# --- My points ------------------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
@login_required_page
def points(request):
    now = timezone.now()
    page = Paginator(selectors.ledger_of(request.user), LEDGER_PER_PAGE).get_page(request.GET.get("page"))
    # A bet's ledger rows say how it ended ("lost 10"), from the bet read with the row.
    settled = (BetStatus.WON, BetStatus.LOST, BetStatus.REFUNDED)
    context = {"page": page, "reasons": Reason, "settled": settled}
    if _is_fragment_request(request):
        return TemplateResponse(request, "bets/points.html#ledger", context)
    context.update(
        balance=selectors.balance_of(request.user),
        bonus_pending=selectors.welcome_bonus_pending(request.user),
        chart=balance_chart(selectors.balance_history(request.user), now=now),
        now=now,
    )
    return TemplateResponse(request, "bets/points.html", context)


# --- Leaderboards ---------------------------------------------------------------------------------


def _tabs(request, scope: str, board) -> list[dict]:
    tabs = [
        {"scope": leaderboards.GLOBAL, "label": "Everyone"},
        {"scope": leaderboards.CLUBS, "label": "Clubs"},
    ]
    if request.user.is_authenticated:
        tabs.insert(1, {"scope": leaderboards.FRIENDS, "label": "Friends"})
    clubs = []
    if request.user.is_authenticated:
        clubs = [
            m.club
            for m in Membership.objects.filter(user=request.user)
            .select_related("club")
            .order_by("club__name")
        ]
    if board.club is not None and all(club.pk != board.club.pk for club in clubs):
        clubs.append(board.club)
    tabs += [{"scope": f"{leaderboards.CLUB_PREFIX}{club.slug}", "label": club.name} for club in clubs]
    for tab in tabs:
        tab["current"] = tab["scope"] == scope
    return tabs


@require_safe
@vary_on_headers("HX-Request")
def leaderboard(request, scope: str = leaderboards.GLOBAL):
    if scope == leaderboards.FRIENDS and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    period = request.GET.get("period") or "all"
    period_error, status = "", 200
    if period not in leaderboards.PERIODS:
        period_error = (
            f"There is no period “{period[:30]}”: showing all time. Choose all time or the last 30 days."
        )
        period, status = "all", 422
    try:
        board = leaderboards.board_for(scope, period, viewer=request.user)
    except leaderboards.UnknownLeaderboard as error:
        raise Http404(error.message) from error
    page = Paginator(leaderboards.leaderboard(board, viewer=request.user), LEADERBOARD_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page)
    if not board.ranks_clubs:
        mark_profile_linkable(request.user, rows)
    shown = {row.pk for row in rows}
    if board.ranks_clubs:
        standings = leaderboards.club_standings_of(request.user, board)
    else:
        standing = leaderboards.rank_of(request.user, board)
        standings = [standing] if standing is not None else []
    # "You: #412 with 85 points" when I am not on this page (my clubs, on the clubs board).
    mine = [standing for standing in standings if standing.subject.pk not in shown]
    context = {
        "board": board,
        "scope": scope,
        "period": period,
        "periods": leaderboards.PERIOD_LABELS,
        "page": page,
        "rows": rows,
        "mine_off_page": mine,
        "my_club_ids": {standing.subject.pk for standing in standings} if board.ranks_clubs else set(),
        "period_error": period_error,
        "page_query": f"period={period}" if period != "all" else "",
    }
    context["tabs"] = _tabs(request, scope, board)
    context["board_title"] = _board_title(board, period, page)
    template = "bets/leaderboards.html"
    if _is_fragment_request(request):
        template += "#leaderboard"
        context["is_fragment"] = True  # the swap brings its <title> along (htmx sets the tab's title)
    return TemplateResponse(request, template, context, status=status)


def _board_title(board, period: str, page) -> str:
    """The page's <title>, one per view: "Friends leaderboard · last 30 days · page 2"."""
    if board.club is not None:
        title = f"{board.club.name} leaderboard"
    else:
        title = {
            leaderboards.FRIENDS: "Friends leaderboard",
            leaderboards.CLUBS: "Clubs leaderboard",
        }.get(board.scope, "Everyone's leaderboard")
    if period != "all":
        title += f" · {leaderboards.PERIOD_LABELS[period].lower()}"
    if page.number > 1:
        title += f" · page {page.number}"
    return title
