"""The points and bets API. Every write goes through bets.services; reads come from bets.selectors and
bets.leaderboards, the same ones the pages use.

A meeting's bets are seen by whoever can see the meeting (a private club's meetings are 404 to
outsiders): the odds board always, every single bet only once bets have closed. A bet itself is
only its bettor's business: other people get 404 for it.
"""

import re
from collections.abc import Mapping

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bets import leaderboards, selectors, services
from bets.models import MAX_STAKE, Bet, BetStatus, LedgerEntry, Reason
from bets.views import meeting_bets_as_seen
from booky.core.api import ErrorSerializer, StandardPagination
from booky.core.errors import DomainError
from booky.core.etags import ETAG, IF_MATCH, PreconditionRequired, etag, expected_version
from meetings.models import Meeting
from social.models import User
from social.permissions import mark_profile_visibility

# A whole number written as digits (form posts send strings); JSON numbers arrive as int already.
DIGITS = re.compile(r"\s*-?\d{1,18}\s*", re.ASCII)  # ASCII: "٥" is a \d to Python, and 5 to int()


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


# Fields --------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberField(serializers.Field):
    """An integer and nothing else: 2.5, 10.0, true and "ten" are refused (the range is the service's)."""

    default_error_messages = {"invalid": "The amount must be a whole number of points."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return data
        if isinstance(data, str) and DIGITS.fullmatch(data):
            return int(data)
        self.fail("invalid")

    def to_representation(self, value):
        return value


# Inline enums: a component named "StatusEnum" would clash with the meetings' and clubs' statuses.
@extend_schema_field({"type": "string", "enum": list(BetStatus.values)})
class BetStatusField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": list(Reason.values)})
class ReasonField(serializers.CharField):
    pass


# Serializers ---------------------------------------------------------------------------------------


class MemberRefSerializer(serializers.Serializer):
    """A member as the viewer may see them. A member whose profile is hidden from the viewer has no
    display name and `"hidden": true` (the key is there only then); on the global and friends
    leaderboards not even a username."""

    username = serializers.CharField(
        read_only=True, allow_null=True, help_text="null on a leaderboard for a member with a hidden profile."
    )
    display_name = serializers.CharField(
        source="name", read_only=True, allow_null=True, help_text="Display name or username; null if hidden."
    )
    hidden = serializers.BooleanField(
        read_only=True,
        required=False,
        help_text="Present (true) only when the member's profile is hidden from you.",
    )

    def to_representation(self, member):
        if getattr(member, "profile_visible", True):
            return {"username": member.username, "display_name": member.name}
        username = member.username if getattr(member, "username_visible", True) else None
        return {"username": username, "display_name": None, "hidden": True}


class ClubRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class BetSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    bettor = MemberRefSerializer(read_only=True)
    horse = MemberRefSerializer(read_only=True, help_text="The member the bet says will finish in time.")
    status = BetStatusField(read_only=True)
    paid = serializers.BooleanField(read_only=True, help_text="Settled: the payout (if any) was credited.")
    payout = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Points credited when settled: 0 for a lost bet."
    )
    payout_remainder = serializers.IntegerField(
        read_only=True,
        help_text="Of the payout, the points the rounding left over (one winning bet gets them).",
    )
    net = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Payout minus stake once settled (0 refunded); null while open.",
    )
    result = serializers.CharField(
        source="result_text",
        read_only=True,
        help_text="In words, gross and net: “won 22 (stake 20, +2)”, “lost 10”, “refunded 10”, “staked 10”.",
    )
    version = serializers.IntegerField(
        read_only=True, help_text='Changes with every change of the bet; send it back as If-Match (W/"3").'
    )

    class Meta:
        model = Bet
        fields = [
            "id",
            "meeting",
            "bettor",
            "horse",
            "amount",
            "status",
            "paid",
            "payout",
            "payout_remainder",
            "net",
            "result",
            "version",
            "placed_at",
            "updated_at",
        ]
        read_only_fields = fields


class HorseOddsSerializer(serializers.Serializer):
    horse = MemberRefSerializer(read_only=True)
    going = serializers.BooleanField(read_only=True, help_text="false: declined; their stakes are refunded.")
    staked = serializers.IntegerField(read_only=True, help_text="Points staked on this horse.")
    bettors = serializers.IntegerField(read_only=True, help_text="How many bets are on this horse.")
    returns = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="What one point staked returns if only this horse finishes (pool / staked); null: no "
        "stakes, or settled.",
    )
    finished_in_time = serializers.BooleanField(
        read_only=True, help_text="Once settled: finished the book before the start (false before)."
    )


class MeetingBetsSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(read_only=True)
    closes_at = serializers.DateTimeField(read_only=True, help_text="Bets close when the meeting starts.")
    closed = serializers.BooleanField(read_only=True)
    resolved_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When bets were settled."
    )
    pool = serializers.IntegerField(
        read_only=True,
        help_text="Before settlement: the points in open bets (stakes on anyone not going are refunded "
        "at once). Once settled: the points shared out (stakes of won and lost bets).",
    )
    horses = HorseOddsSerializer(many=True, read_only=True)
    my_bet = BetSerializer(read_only=True, allow_null=True)
    my_balance = serializers.IntegerField(read_only=True, allow_null=True)
    bets = BetSerializer(
        many=True, read_only=True, allow_null=True, help_text="Every bet once bets have closed; null before."
    )


class BetInputSerializer(serializers.Serializer):
    horse = serializers.CharField(max_length=150, help_text="Username of a member who is going (you too).")
    amount = WholeNumberField(help_text=f"1 to your balance (at most {MAX_STAKE}).")


class BetPatchSerializer(serializers.Serializer):
    horse = serializers.CharField(max_length=150, required=False)
    amount = WholeNumberField(required=False)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The bet's version you last saw; or send it as If-Match."
    )

    def validate(self, data):
        if not set(data) - {"version"}:
            raise serializers.ValidationError("Send a new horse, a new amount, or both.")
        return data


class BetWithdrawSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The bet's version you last saw; or send it as If-Match."
    )


class StaleBetSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    current = BetSerializer(help_text="The bet as it is now.")


class LedgerMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(source="display_title", read_only=True)


class LedgerEntrySerializer(serializers.ModelSerializer):
    reason = ReasonField(read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    meeting = LedgerMeetingSerializer(read_only=True, allow_null=True)
    bet = serializers.IntegerField(source="bet_id", read_only=True, allow_null=True)
    bet_result = serializers.SerializerMethodField(
        help_text="How the entry's bet ended, gross and net (“won 22 (stake 20, +2)”, “lost 10”, "
        "“refunded 10”), with “+1 rounding remainder” on the payout that got it; null while open."
    )
    note = serializers.CharField(read_only=True, help_text="A moderator's reason for an adjustment.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_bet_result(self, entry) -> str | None:
        bet = entry.bet
        if bet is None or bet.net is None or bet.status == BetStatus.WITHDRAWN:
            return None
        if entry.reason == Reason.PAYOUT and bet.remainder_text:
            return f"{bet.result_text} · {bet.remainder_text}"
        return bet.result_text

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "reason",
            "reason_display",
            "amount",
            "balance_after",
            "note",
            "created_at",
            "meeting",
            "bet",
            "bet_result",
        ]
        read_only_fields = fields


class PointsPageSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Ledger entries in all.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LedgerEntrySerializer(many=True)


class StandingSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="Competition rank: equal points share it (1, 2, 2, 4).")
    points = serializers.IntegerField()
    user = MemberRefSerializer(allow_null=True, help_text="Person boards; null on the clubs board.")
    club = ClubRefSerializer(allow_null=True, help_text="The clubs board; null on person boards.")


class LeaderboardSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = serializers.CharField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StandingSerializer(many=True)
    me = StandingSerializer(
        allow_null=True, help_text="Your standing on a person board, on this page or not."
    )
    my_clubs = StandingSerializer(many=True, help_text="On the clubs board: your clubs' standings.")


def standing(rank: int, points: int, subject) -> dict:
    is_club = not isinstance(subject, User)
    return {
        "rank": rank,
        "points": points,
        "user": None if is_club else MemberRefSerializer(subject).data,
        "club": ClubRefSerializer(subject).data if is_club else None,
    }


# Views ---------------------------------------------------------------------------------------------


def _horse(username: str) -> User:
    horse = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if horse is None:
        raise DomainError(f"There is no member called “{username}”.", code="unknown_horse")
    return horse


class MeetingBetsView(GenericAPIView):
    pagination_class = None
    serializer_class = BetInputSerializer  # what OPTIONS describes for POST

    def get_meeting(self) -> Meeting:
        return get_object_or_404(
            Meeting.objects.visible_to(self.request.user).select_related("club", "book"),
            pk=self.kwargs["meeting_pk"],
        )

    @extend_schema(
        operation_id="meeting_bets_retrieve",
        summary="The odds board of a meeting, your bet, and every bet once bets have closed",
        responses={200: MeetingBetsSerializer, **_errors(404)},
    )
    def get(self, request, meeting_pk: int):
        meeting = self.get_meeting()
        board = selectors.odds_board(meeting)
        user = request.user
        bets = meeting_bets_as_seen(user, meeting) if board.closed else None
        mark_profile_visibility(user, [row.horse for row in board.horses], club=meeting.club)
        data = {
            "meeting": meeting.pk,
            "closes_at": meeting.starts_at,
            "closed": board.closed,
            "resolved_at": meeting.bets_resolved_at,
            "pool": board.pool,
            "horses": board.horses,
            "my_bet": selectors.bet_of(user, meeting),
            "my_balance": selectors.balance_of(user) if user.is_authenticated else None,
            "bets": bets,
        }
        return Response(MeetingBetsSerializer(data).data)

    @extend_schema(
        operation_id="meeting_bets_create",
        summary="Bet that a member finishes the book before the meeting starts (going attendees)",
        description="The stake leaves your balance at once. One bet per meeting: change it with PATCH "
        "/bets/{id}/. 403 `not_going` unless you RSVPed going; 409 `bets_closed` after the start, "
        "`already_bet` for a second bet; 400 `insufficient_points`, `invalid_amount`, `horse_not_going`.",
        request=BetInputSerializer,
        responses={201: BetSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, meeting_pk: int):
        meeting = self.get_meeting()
        data = BetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bet = services.bet_place(
            bettor=request.user,
            meeting=meeting,
            horse=_horse(data.validated_data["horse"]),
            amount=data.validated_data["amount"],
        )
        response = _bet_response(Bet.objects.select_related("bettor", "horse").get(pk=bet.pk))
        response.status_code = status.HTTP_201_CREATED
        return response


class BetView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Bet.objects.none()
        return Bet.objects.filter(bettor=self.request.user).select_related("meeting", "bettor", "horse")

    def _fresh(self, bet: Bet) -> Response:
        return _bet_response(self.get_queryset().get(pk=bet.pk))

    def _expected_version(self, request, body_version: int | None) -> int:
        version = expected_version(request, body_version)
        if version is None:
            raise PreconditionRequired(
                "Say which version of the bet you are changing: send If-Match with the ETag you got, or "
                "a version field. This keeps another tab from overwriting your bet."
            )
        return version

    def _stale(self, stale: services.StaleBet) -> Response:
        current = self.get_queryset().get(pk=stale.current.pk)
        response = Response(
            {"detail": stale.message, "code": stale.code, "current": BetSerializer(current).data},
            status=status.HTTP_409_CONFLICT,
        )
        response["ETag"] = etag(current.version)
        return response

    @extend_schema(
        summary="One of your bets",
        parameters=[ETAG],
        responses={200: BetSerializer, **_errors(401, 404)},
    )
    def get(self, request, pk: int):
        return _bet_response(self.get_object())

    @extend_schema(
        summary="Change the horse and/or the amount of your bet (until the meeting starts)",
        description="Only the difference moves between your balance and the bet. Needs the bet's version "
        "you last saw, as `If-Match` (the ETag of GET) or a `version` field: 428 without one; 409 "
        "`stale_version` with `current` (the bet now) when it changed since, e.g. in another tab.",
        parameters=[IF_MATCH, ETAG],
        request=BetPatchSerializer,
        responses={
            200: BetSerializer,
            409: OpenApiResponse(StaleBetSerializer, description="Stale version, or bets closed."),
            **_errors(400, 401, 403, 404, 428),
        },
    )
    def patch(self, request, pk: int):
        bet = self.get_object()
        data = BetPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = self._expected_version(request, data.validated_data.get("version"))
        horse = data.validated_data.get("horse")
        try:
            bet = services.bet_change(
                bettor=request.user,
                bet=bet,
                horse=_horse(horse) if horse is not None else None,
                amount=data.validated_data.get("amount"),
                expected_version=version,
            )
        except services.StaleBet as stale:
            return self._stale(stale)
        return self._fresh(bet)

    @extend_schema(
        summary="Withdraw your bet (until the meeting starts): the whole stake returns",
        description="Needs the bet's version you last saw, as `If-Match` or a `version` field: 428 "
        "without one; 409 `stale_version` with `current` when the bet changed since.",
        parameters=[IF_MATCH, ETAG],
        request=BetWithdrawSerializer,
        responses={
            200: BetSerializer,
            409: OpenApiResponse(StaleBetSerializer, description="Stale version, or bets closed."),
            **_errors(400, 401, 404, 428),
        },
    )
    def delete(self, request, pk: int):
        bet = self.get_object()
        data = BetWithdrawSerializer(data=request.data if isinstance(request.data, Mapping) else {})
        data.is_valid(raise_exception=True)
        version = self._expected_version(request, data.validated_data.get("version"))
        try:
            bet = services.bet_withdraw(bettor=request.user, bet=bet, expected_version=version)
        except services.StaleBet as stale:
            return self._stale(stale)
        return self._fresh(bet)


def _bet_response(bet: Bet) -> Response:
    response = Response(BetSerializer(bet).data)
    response["ETag"] = etag(bet.version)
    return response


class MyPointsView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        return selectors.ledger_of(self.request.user)

    @extend_schema(
        summary="Your balance and your ledger, newest first",
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Entries per page (at most 100)."),
        ],
        responses={200: PointsPageSerializer, **_errors(401, 404)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        paginator = self.paginator
        return Response(
            {
                "balance": selectors.balance_of(request.user),
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": LedgerEntrySerializer(page, many=True).data,
            }
        )


class LeaderboardView(GenericAPIView):
    pagination_class = StandardPagination

    @extend_schema(
        summary="A leaderboard: global, friends, clubs, or club-{slug}; all time or the last 30 days",
        description="Points: all time, a member's balance; 30d, the net change in the last 30 days "
        "without the welcome bonus; club-{slug}, what each member earned in that club's meetings; "
        "clubs, the club score (all that was earned in the club's meetings). Competition ranks. "
        "404 `unknown_leaderboard` for an unknown scope or a club you may not see; "
        "400 `invalid_period` for a period other than all or 30d.",
        parameters=[
            OpenApiParameter(
                "scope",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="global, friends (you and your friends; signed in only), clubs or club-{slug}.",
            ),
            OpenApiParameter("period", OpenApiTypes.STR, enum=list(leaderboards.PERIODS), default="all"),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows per page (at most 100)."),
        ],
        responses={200: LeaderboardSerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, scope: str):
        user = request.user
        board = leaderboards.board_for(scope, request.query_params.get("period"), viewer=user)
        rows = self.paginate_queryset(leaderboards.leaderboard(board, viewer=user))
        me, my_clubs = None, []
        if board.ranks_clubs:
            my_clubs = [
                standing(s.rank, s.points, s.subject) for s in leaderboards.club_standings_of(user, board)
            ]
        else:
            mine = leaderboards.rank_of(user, board)
            me = standing(mine.rank, mine.points, mine.subject) if mine else None
        paginator = self.paginator
        return Response(
            {
                "scope": board.scope,
                "period": board.period,
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": [standing(row.rank, row.points, row) for row in rows],
                "me": me,
                "my_clubs": my_clubs,
            }
        )
