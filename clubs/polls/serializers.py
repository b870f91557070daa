"""The polls' API shapes. Ballots are secret: a caller sees only their own ranking."""

from rest_framework import serializers

from clubs.polls.models import (
    MAX_NOMINATIONS_LIMIT,
    PITCH_MAX_LENGTH,
    NominationRule,
    Poll,
    PollMode,
    PollPhase,
)


class PollInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    mode = serializers.ChoiceField(choices=PollMode.choices, default=PollMode.RANKED)
    nominations_by = serializers.ChoiceField(choices=NominationRule.choices, default=NominationRule.MEMBERS)
    max_nominations = serializers.IntegerField(min_value=1, max_value=MAX_NOMINATIONS_LIMIT, default=2)
    nominations_close_at = serializers.DateTimeField()
    voting_closes_at = serializers.DateTimeField()
    show_live_results = serializers.BooleanField(default=False)


class NominationInputSerializer(serializers.Serializer):
    book = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The book's id.")
    pitch = serializers.CharField(max_length=PITCH_MAX_LENGTH, required=False, allow_blank=True, default="")


class BallotInputSerializer(serializers.Serializer):
    ranking = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        min_length=1,
        max_length=200,
        help_text="Nomination ids, best first (one id in a one-vote-each poll); each at most once.",
    )


class BallotSerializer(serializers.Serializer):
    ranking = serializers.ListField(
        child=serializers.IntegerField(), help_text="Your ranking, best first; empty if you have not voted."
    )


class NominationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    book = serializers.IntegerField(source="book_id")
    title = serializers.CharField(source="book.title")
    authors = serializers.ListField(child=serializers.CharField(), source="book.authors")
    pitch = serializers.CharField()
    nominated_by = serializers.CharField(source="nominated_by.username", allow_null=True, default=None)
    nominated_at = serializers.DateTimeField(source="created_at")
    want_to_read = serializers.IntegerField(
        source="want_count", help_text="Members with it on their want-to-read shelf."
    )
    read = serializers.IntegerField(source="read_count", help_text="Members who have read it.")


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    tallies = serializers.SerializerMethodField()
    exhausted = serializers.IntegerField()
    eliminated = serializers.SerializerMethodField()
    tie_break = serializers.CharField()

    def get_tallies(self, row) -> dict[str, int]:
        return {str(nomination.pk): votes for nomination, votes in row.tallies}

    def get_eliminated(self, row) -> int | None:
        return row.eliminated.pk if row.eliminated else None


class ResultSerializer(serializers.Serializer):
    final = serializers.BooleanField(help_text="True once voting closed; false for the running count.")
    winner = serializers.SerializerMethodField()
    ballots_counted = serializers.IntegerField()
    rounds = RoundSerializer(many=True)

    def get_winner(self, result) -> int | None:
        return result.winner.pk if result.winner else None


class TurnoutSerializer(serializers.Serializer):
    ballots = serializers.IntegerField()
    members = serializers.IntegerField()


class PollSerializer(serializers.ModelSerializer):
    club = serializers.CharField(source="club.slug")
    phase = serializers.ChoiceField(choices=PollPhase.choices, source="current_phase_value")

    class Meta:
        model = Poll
        fields = [
            "id", "club", "title", "description", "mode", "nominations_by", "max_nominations",
            "nominations_close_at", "voting_closes_at", "show_live_results", "phase", "closed_at", "created_at",
        ]  # fmt: skip


class PollDetailSerializer(PollSerializer):
    nominations = NominationSerializer(many=True)
    my_ranking = serializers.ListField(child=serializers.IntegerField())
    result = ResultSerializer(
        allow_null=True, help_text="Null until the poll closes (unless it shows live results)."
    )
    turnout = TurnoutSerializer(allow_null=True, help_text="For the hosts: how many have voted (never what).")
    can_nominate = serializers.BooleanField()
    can_vote = serializers.BooleanField()

    class Meta(PollSerializer.Meta):
        fields = [
            *PollSerializer.Meta.fields,
            "nominations",
            "my_ranking",
            "result",
            "turnout",
            "can_nominate",
            "can_vote",
        ]
