"""Points: your balance and ledger, and the leaderboards."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bets import leaderboards, selectors
from bets.models import LedgerEntry
from bets.serializers import LeaderboardSerializer, LedgerEntrySerializer, PointsPageSerializer, standing
from booky.core.api import StandardPagination, error_responses


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
        responses={200: PointsPageSerializer, **error_responses(401, 404)},
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
        responses={200: LeaderboardSerializer, **error_responses(400, 403, 404)},
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
