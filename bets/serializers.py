"""The points and bets API's fields and serializers: a bet, a meeting's odds board, the ledger and the
leaderboards, and the input a bet takes (type checks only; the rules are bets.services')."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bets.models import MAX_STAKE, Bet, BetStatus, LedgerEntry, Reason
from social.models import User

# A whole number written as digits (form posts send strings); JSON numbers arrive as int already.
DIGITS = re.compile(r"\s*-?\d{1,18}\s*", re.ASCII)  # ASCII: "٥" is a \d to Python, and 5 to int()

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
    # Only a stale version sends the bet as it is now; `bets_closed` (the meeting started) has nothing to show.
    current = BetSerializer(required=False, help_text="The bet as it is now (with `stale_version`).")


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
