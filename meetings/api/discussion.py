"""A meeting's discussion over the API: meetings/{id}/posts/ and posts/{id}/... . Every answer goes
through the same gate as the pages (meetings.discussion.gate): a post's text is null for a caller
below its spoiler page."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from booky.core.api import error_responses, require, require_changes
from booky.core.errors import NotAllowed
from booky.core.numbers import is_ascii_integer
from meetings.api_scope import MEETING_ID, MeetingChildMixin
from meetings.discussion import permissions, services
from meetings.discussion.models import Post, ReactionKind
from meetings.discussion.selectors import ORDERS, gated, post_count, reader_for, visible_post
from meetings.discussion.serializers import (
    ModerationInputSerializer,
    PostEditSerializer,
    PostInputSerializer,
    PostSerializer,
    ReactionInputSerializer,
    ReplySerializer,
    ReportInputSerializer,
    ReportSerializer,
)

POST_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The post's id.")
ORDER = OpenApiParameter(
    "order",
    OpenApiTypes.STR,
    enum=list(ORDERS),
    description="`newest` (default) or `page` (by spoiler page).",
)
MEMBERS_ONLY = "Only members of the club can read and join its discussion."


class MembersOnly(NotAllowed):
    code = "members_only"


def _post_response(post: Post, user, *, status_code=status.HTTP_200_OK) -> Response:
    post = Post.objects.select_related("author", "meeting__club", "meeting__book").get(pk=post.pk)
    reader = reader_for(user, post.meeting)
    serializer = PostSerializer if post.parent_id is None else ReplySerializer
    (marked,) = gated([post], reader, with_replies=post.parent_id is None)
    return Response(serializer(marked).data, status=status_code)


class MeetingPostViewSet(MeetingChildMixin, viewsets.GenericViewSet):
    @extend_schema(
        summary="A meeting's discussion: its top-level posts, each with its replies",
        description="Members only (others who can see the meeting get 403 `members_only`). Each post's "
        "`body` is null when it is about a page you have not reached (`seen: spoiler`), until the meeting "
        "starts or you reveal it.",
        parameters=[MEETING_ID, ORDER],
        responses={200: PostSerializer(many=True), **error_responses(403, 404)},
        methods=["GET"],
    )
    @extend_schema(
        summary="Post in a meeting's discussion (members)",
        description="`spoiler_page` defaults to your current page and may not be above it before the "
        "meeting starts. At most 10 posts a minute (429).",
        parameters=[MEETING_ID],
        request=PostInputSerializer,
        responses={201: PostSerializer, **error_responses(400, 401, 403, 404, 429)},
        methods=["POST"],
    )
    @action(detail=True, methods=["get", "post"])
    def posts(self, request, pk=None):
        meeting = self.get_meeting()
        if not permissions.can_read_discussion(request.user, meeting):
            raise MembersOnly(f"{MEMBERS_ONLY} It has {post_count(meeting)} posts.")
        if request.method == "POST":
            data = PostInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            post = services.post_create(author=request.user, meeting=meeting, **data.validated_data)
            return _post_response(post, request.user, status_code=status.HTTP_201_CREATED)
        order = request.query_params.get("order", "newest")
        posts = Post.objects.filter(meeting=meeting, parent__isnull=True).select_related("author")
        posts = posts.order_by(*ORDERS.get(order, ORDERS["newest"]))
        page = self.paginate_queryset(posts)
        marked = gated(page, reader_for(request.user, meeting), with_replies=True)
        return self.get_paginated_response(PostSerializer(marked, many=True).data)


class PostViewSet(viewsets.GenericViewSet):
    serializer_class = PostSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Post.objects.none()

    def get_post(self) -> Post:
        post_id = self.kwargs["pk"]
        post = visible_post(int(post_id), self.request.user) if is_ascii_integer(post_id) else None
        if post is None:
            raise Http404("No such post.")
        return post

    @extend_schema(
        summary="One post (members of its club), gated like the list",
        parameters=[POST_ID],
        responses={200: PostSerializer, **error_responses(404)},
    )
    def retrieve(self, request, pk=None):
        return _post_response(self.get_post(), request.user)

    @extend_schema(
        summary="Edit your post: its text and/or its spoiler page",
        description="Optionally the `version` you last saw: 409 `stale_version` when it changed since.",
        parameters=[POST_ID],
        request=PostEditSerializer,
        responses={200: PostSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        post = self.get_post()
        require(post.author_id == request.user.pk, "Only its author can change a post.")
        data = PostEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        require_changes(
            {key: value for key, value in changes.items() if key != "version"}, ["body", "spoiler_page"]
        )
        post = services.post_edit(
            actor=request.user,
            post=post,
            body=changes.get("body"),
            spoiler_page=changes.get("spoiler_page"),
            expected_version=changes.get("version"),
        )
        return _post_response(post, request.user)

    @extend_schema(
        summary="Delete your post",
        description="204 when it is gone; 200 with the post, now `deleted`, when it has replies (they stay).",
        parameters=[POST_ID],
        responses={200: PostSerializer, 204: None, **error_responses(401, 403, 404, 409)},
    )
    def destroy(self, request, pk=None):
        post = self.get_post()
        require(post.author_id == request.user.pk, "Only its author can delete a post.")
        kept = services.post_delete(actor=request.user, post=post)
        if kept is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return _post_response(kept, request.user)

    @extend_schema(
        summary="A post's replies, oldest first, each gated",
        parameters=[POST_ID],
        responses={200: ReplySerializer(many=True), **error_responses(404)},
        methods=["GET"],
    )
    @extend_schema(
        summary="Reply to a post (members)",
        description="The reply's `spoiler_page` is at least the post's. You must be able to read the post.",
        parameters=[POST_ID],
        request=PostInputSerializer,
        responses={201: ReplySerializer, **error_responses(400, 401, 403, 404, 409, 429)},
        methods=["POST"],
    )
    @action(detail=True, methods=["get", "post"])
    def replies(self, request, pk=None):
        post = self.get_post()
        if request.method == "POST":
            data = PostInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            reply = services.post_create(
                author=request.user, meeting=post.meeting, parent=post, **data.validated_data
            )
            return _post_response(reply, request.user, status_code=status.HTTP_201_CREATED)
        replies = Post.objects.filter(parent=post).select_related("author").order_by("created_at", "pk")
        page = self.paginate_queryset(replies)
        marked = gated(page, reader_for(request.user, post.meeting))
        return self.get_paginated_response(ReplySerializer(marked, many=True).data)

    @extend_schema(
        summary="React to a post (one of each kind per member)",
        description="201 when added, 200 when you had already reacted so. Only on posts you can read.",
        parameters=[POST_ID],
        request=ReactionInputSerializer,
        responses={200: PostSerializer, 201: PostSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reactions(self, request, pk=None):
        post = self.get_post()
        data = ReactionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        added = services.reaction_add(user=request.user, post=post, kind=data.validated_data["kind"])
        return _post_response(
            post, request.user, status_code=status.HTTP_201_CREATED if added else status.HTTP_200_OK
        )

    @extend_schema(
        summary="Take back a reaction",
        parameters=[
            POST_ID,
            OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ReactionKind.values),
        ],
        responses={200: PostSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["delete"], url_path=r"reactions/(?P<kind>[^/.]+)", url_name="reaction")
    def reaction(self, request, pk=None, kind=None):
        post = self.get_post()
        services.reaction_remove(user=request.user, post=post, kind=kind)
        return _post_response(post, request.user)

    @extend_schema(
        summary='"Show anyway": read one post above your page (recorded)',
        parameters=[POST_ID],
        request=None,
        responses={200: PostSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        post = self.get_post()
        services.post_reveal(user=request.user, post=post)
        return _post_response(post, request.user)

    @extend_schema(
        summary="Report a post to the club's moderators",
        description="Reporting it again while your report is open changes nothing (200).",
        parameters=[POST_ID],
        request=ReportInputSerializer,
        responses={201: ReportSerializer, 200: ReportSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        post = self.get_post()
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        had = post.reports.filter(reporter=request.user, status="open").exists()
        report = services.post_report(reporter=request.user, post=post, reason=data.validated_data["reason"])
        return Response(
            ReportSerializer(report).data, status=status.HTTP_200_OK if had else status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Hide, remove or restore a post (the club's owner and moderators)",
        description="Hide and remove need a `reason`, which the author and members read.",
        parameters=[POST_ID],
        request=ModerationInputSerializer,
        responses={
            200: PostSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    @action(detail=True, methods=["post"])
    def moderation(self, request, pk=None):
        post = self.get_post()
        require(
            permissions.can_moderate(request.user, post.meeting),
            "Only the club's owner and moderators can do that.",
        )
        data = ModerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_moderate(
            actor=request.user,
            post=post,
            action=data.validated_data["action"],
            reason=data.validated_data.get("reason", ""),
        )
        return _post_response(post, request.user)
