"""Bets: a meeting's odds board and placing a bet, and one bet of yours (change, withdraw)."""

from collections.abc import Mapping

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bets import selectors, services
from bets.models import Bet
from bets.sections import meeting_bets_as_seen
from bets.serializers import (
    BetInputSerializer,
    BetPatchSerializer,
    BetSerializer,
    BetWithdrawSerializer,
    MeetingBetsSerializer,
    StaleBetSerializer,
)
from booky.core.api import error_responses
from booky.core.errors import DomainError
from booky.core.etags import ETAG, IF_MATCH, PreconditionRequired, etag, expected_version
from clubs.visibility import mark_profile_visibility
from meetings.models import Meeting
from social.models import User


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
        responses={200: MeetingBetsSerializer, **error_responses(404)},
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
        responses={201: BetSerializer, **error_responses(400, 401, 403, 404, 409)},
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
        responses={200: BetSerializer, **error_responses(401, 404)},
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
            **error_responses(400, 401, 403, 404, 428),
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
            **error_responses(400, 401, 404, 428),
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
