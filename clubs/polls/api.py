"""Next-book polls over the API: clubs/{slug}/polls/ (list, open) and polls/{id}/ with its
nominations and the caller's ballot. The same services and rules as the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from books.models import Book
from booky.core.api import error_responses, require
from booky.core.errors import NotFound
from clubs.api_scope import CLUB_SLUG, ClubChildMixin
from clubs.models import Club, Nomination, Poll
from clubs.permissions import is_member
from clubs.polls import permissions, selectors, services
from clubs.polls.api_scope import POLL_ID
from clubs.polls.sections import name_tie_breaks
from clubs.polls.serializers import (
    BallotInputSerializer,
    BallotSerializer,
    NominationInputSerializer,
    NominationSerializer,
    PollDetailSerializer,
    PollInputSerializer,
    PollSerializer,
)

NOMINATION_ID = OpenApiParameter(
    "nomination_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The nomination's id."
)


def poll_detail(user, poll: Poll) -> dict:
    nominations = selectors.nominations_for_page(poll)
    result = selectors.result_for(user, poll, nominations)
    if result is not None:
        name_tie_breaks(result, nominations)
    turnout = selectors.turnout(poll) if permissions.can_see_turnout(user, poll) else None
    poll.nominations_list = nominations
    data = PollSerializer(poll).data
    data.update(
        {
            "nominations": NominationSerializer(nominations, many=True).data,
            "my_ranking": selectors.my_ranking(user, poll) if is_member(user, poll.club) else [],
            "result": None
            if result is None
            else PollDetailSerializer().fields["result"].to_representation(result),
            "turnout": None if turnout is None else {"ballots": turnout[0], "members": turnout[1]},
            "can_nominate": permissions.can_nominate(user, poll),
            "can_vote": permissions.can_vote(user, poll),
        }
    )
    return data


class ClubPollViewSet(ClubChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PollSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Poll.objects.none()
        return Poll.objects.filter(club=self.get_club()).select_related("club")

    @extend_schema(
        summary="A club's next-book polls, newest first",
        parameters=[CLUB_SLUG],
        responses={200: PollSerializer(many=True), **error_responses(404)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Open a next-book poll (owner and moderators)",
        description="One open poll per club (409). Voting closes at least 10 minutes after nominations.",
        parameters=[CLUB_SLUG],
        request=PollInputSerializer,
        responses={201: PollDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def create(self, request, *args, **kwargs):
        club: Club = self.get_club()
        require(
            permissions.can_open_poll(request.user, club), "Only the club's owner and moderators open polls."
        )
        data = PollInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        poll = services.poll_open(actor=request.user, club=club, **data.validated_data)
        return Response(poll_detail(request.user, poll), status=status.HTTP_201_CREATED)


class PollViewSet(viewsets.GenericViewSet):
    serializer_class = PollDetailSerializer

    def get_queryset(self):
        return Poll.objects.filter(club__in=Club.objects.visible_to(self.request.user)).select_related(
            "club", "winner__book"
        )

    def get_object(self) -> Poll:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(
        summary="A poll: its nominees, your ballot, and the result once it may be shown",
        description="`result` is null until voting closes (unless the poll shows live results, to members). "
        "Ballots are secret: `my_ranking` is yours only; the hosts get `turnout`.",
        parameters=[POLL_ID],
        responses={200: PollDetailSerializer, **error_responses(404)},
    )
    def retrieve(self, request, pk=None):
        return Response(poll_detail(request.user, self.get_object()))

    @extend_schema(
        summary="Nominate a book (members, or the hosts in a hosts-only poll)",
        description="While nominations are open (409 after); each member up to the poll's limit (400); "
        "a book once per poll (409 `already_nominated`).",
        parameters=[POLL_ID],
        request=NominationInputSerializer,
        responses={201: NominationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def nominations(self, request, pk=None):
        poll = self.get_object()
        require(is_member(request.user, poll.club), "Only members of the club nominate books.")
        data = NominationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        book = Book.objects.filter(pk=data.validated_data["book"]).first()
        if book is None:
            raise NotFound("There is no book with this id.")
        nomination = services.nomination_add(
            actor=request.user, poll=poll, book=book, pitch=data.validated_data["pitch"]
        )
        nomination = next(n for n in selectors.nominations_for_page(poll) if n.pk == nomination.pk)
        return Response(NominationSerializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw a nomination (its nominator or the hosts, while nominations are open)",
        parameters=[POLL_ID, NOMINATION_ID],
        responses={204: None, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["delete"], url_path=r"nominations/(?P<nomination_id>[0-9]+)")
    def withdraw(self, request, pk=None, nomination_id=None):
        poll = self.get_object()
        require(is_member(request.user, poll.club), "Only members of the club withdraw nominations.")
        nomination = get_object_or_404(Nomination.objects.all(), pk=nomination_id, poll=poll)
        nomination.poll = poll
        services.nomination_withdraw(actor=request.user, nomination=nomination)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Your ballot in this poll",
        parameters=[POLL_ID],
        responses={200: BallotSerializer, **error_responses(401, 403, 404)},
        methods=["GET"],
    )
    @extend_schema(
        summary="Cast or change your ballot (members, while voting is open)",
        description="`ranking` lists nomination ids best first, each once (400 for repeats or ids not in "
        "this poll); one id in a one-vote-each poll. 409 before voting opens and after it closes.",
        parameters=[POLL_ID],
        request=BallotInputSerializer,
        responses={200: BallotSerializer, **error_responses(400, 401, 403, 404, 409)},
        methods=["PUT"],
    )
    @extend_schema(
        summary="Withdraw your ballot (while voting is open)",
        parameters=[POLL_ID],
        responses={204: None, **error_responses(401, 403, 404, 409)},
        methods=["DELETE"],
    )
    @action(detail=True, methods=["get", "put", "delete"])
    def ballot(self, request, pk=None):
        poll = self.get_object()
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        require(
            is_member(request.user, poll.club),
            "Only members of the club vote.",
        )
        if request.method == "PUT":
            data = BallotInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.ballot_cast(voter=request.user, poll=poll, ranking=data.validated_data["ranking"])
        elif request.method == "DELETE":
            services.ballot_withdraw(voter=request.user, poll=poll)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({"ranking": selectors.my_ranking(request.user, poll)})
