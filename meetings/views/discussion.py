"""A meeting's discussion: its page and fragments, and every action on a post.

htmx gets the piece it swaps (the discussion list, or one thread); a plain form post is redirected
back to the post with a message. The gate (meetings.discussion.gate) decides every post's text.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.confirm import Confirmation, confirm_page
from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page
from booky.core.numbers import is_ascii_integer
from clubs.models import Club
from clubs.permissions import is_staff_of
from meetings.discussion import permissions, services
from meetings.discussion.forms import (
    EditPostForm,
    ModerationForm,
    PostForm,
    ReactionForm,
    ReasonForm,
    ReplyForm,
    add_service_error,
)
from meetings.discussion.links import post_url
from meetings.discussion.models import Post, PostReport, ReportStatus
from meetings.discussion.sections import SECTION_POSTS, discussion_context
from meetings.discussion.selectors import gated, reader_for, visible_post
from meetings.sections import visible_meeting

TEMPLATE = "meetings/discussion.html"


def _status(error: DomainError) -> int:
    return error.status_code if error.status_code in (403, 409, 429) else 422


@require_safe
@vary_on_headers("HX-Request")
def page(request, pk: int):
    meeting = visible_meeting(request, pk)
    if not permissions.can_see_post_count(request.user, meeting):
        raise Http404("No such meeting.")
    page_number = request.GET.get("page", "1")
    context = discussion_context(
        request,
        meeting,
        order=request.GET.get("order", "newest"),
        page_number=page_number if is_ascii_integer(page_number) else 1,
        # The meeting page's section asks for itself again ("3 new posts — show").
        **({"per_page": SECTION_POSTS, "section": True} if request.GET.get("section") == "1" else {}),
    )
    template = f"{TEMPLATE}#discussion" if is_fragment_request(request) else TEMPLATE
    return TemplateResponse(request, template, context)


@require_POST
@login_required_page
def post_create(request, pk: int):
    meeting = visible_meeting(request, pk)
    if not permissions.can_post(request.user, meeting):
        raise PermissionDenied("Only members of the club can post in its discussions.")
    reader = reader_for(request.user, meeting)
    form = PostForm(request.POST, reader_page=reader.page)
    status = 422
    if form.is_valid():
        try:
            post = services.post_create(
                author=request.user,
                meeting=meeting,
                body=form.cleaned_data["body"],
                spoiler_page=form.cleaned_data["spoiler_page"],
            )
        except DomainError as error:
            add_service_error(form, error)
            status = _status(error)
        else:
            if not is_fragment_request(request):
                messages.success(request, "Posted.")
                return redirect(post_url(post))
            context = discussion_context(request, meeting, section=request.POST.get("section") == "1")
            context["posted_message"] = f"Posted, about page {post.spoiler_page}."
            return TemplateResponse(request, f"{TEMPLATE}#discussion", context)
    context = discussion_context(request, meeting, form=form, section=request.POST.get("section") == "1")
    context["form_error"] = True
    if is_fragment_request(request):
        return TemplateResponse(request, f"{TEMPLATE}#post-form", context, status=status)
    return TemplateResponse(request, TEMPLATE, context, status=status)


def _post_or_404(request, post_id: int) -> Post:
    post = visible_post(post_id, request.user)
    if post is None:
        raise Http404("No such post.")
    return post


def _thread_response(request, post: Post, *, message: str = "", error: bool = False, status: int = 200):
    """The post's thread (its top-level post and replies) for htmx; a redirect with a message otherwise."""
    if not is_fragment_request(request):
        if message:
            messages.add_message(request, messages.ERROR if error else messages.SUCCESS, message)
        return redirect(post_url(post) if Post.objects.filter(pk=post.pk).exists() else _discussion_url(post))
    top_id = post.parent_id or post.pk
    top = Post.objects.select_related("author").filter(pk=top_id).first()
    reader = reader_for(request.user, post.meeting)
    context = {
        "meeting": post.meeting,
        "reader": reader,
        "reply_form": ReplyForm(),
        "can_moderate": permissions.can_moderate(request.user, post.meeting),
        "thread_message": message,
        "thread_error": error,
    }
    if top is None:  # deleted without replies: the thread is gone
        context["gone_id"] = top_id
        return TemplateResponse(request, f"{TEMPLATE}#thread-gone", context, status=status)
    (context["post"],) = gated([top], reader, with_replies=True)
    return TemplateResponse(request, f"{TEMPLATE}#thread", context, status=status)


def _discussion_url(post: Post) -> str:
    return reverse("meetings:discussion", args=[post.meeting_id])


@require_POST
@login_required_page
def reply(request, post_id: int):
    parent = _post_or_404(request, post_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _thread_response(
            request, parent, message=" ".join(form.errors.get("body", [])), error=True, status=422
        )
    try:
        reply_post = services.post_create(
            author=request.user, meeting=parent.meeting, body=form.cleaned_data["body"], parent=parent
        )
    except DomainError as error:
        return _thread_response(request, parent, message=error.message, error=True, status=_status(error))
    return _thread_response(request, reply_post, message=f"Replied, about page {reply_post.spoiler_page}.")


@require_POST
@login_required_page
def react(request, post_id: int):
    post = _post_or_404(request, post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return _thread_response(request, post, message="Choose one of the reactions.", error=True, status=422)
    kind = form.cleaned_data["kind"]
    try:
        if request.POST.get("undo") == "1":
            services.reaction_remove(user=request.user, post=post, kind=kind)
        else:
            services.reaction_add(user=request.user, post=post, kind=kind)
    except DomainError as error:
        return _thread_response(request, post, message=error.message, error=True, status=_status(error))
    return _thread_response(request, post)


@require_POST
@login_required_page
def reveal(request, post_id: int):
    post = _post_or_404(request, post_id)
    try:
        services.post_reveal(user=request.user, post=post)
    except DomainError as error:
        return _thread_response(request, post, message=error.message, error=True, status=_status(error))
    return _thread_response(request, post)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def edit(request, post_id: int):
    post = _post_or_404(request, post_id)
    if post.author_id != request.user.pk:
        raise PermissionDenied("Only its author can change a post.")
    reader = reader_for(request.user, post.meeting)
    status = 200
    if request.method == "POST":
        form = EditPostForm(request.POST, reader_page=reader.page)
        status = 422
        if form.is_valid():
            try:
                post = services.post_edit(
                    actor=request.user,
                    post=post,
                    body=form.cleaned_data["body"],
                    spoiler_page=form.cleaned_data["spoiler_page"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                add_service_error(form, error)
                status = _status(error)
            else:
                messages.success(request, "Saved.")
                return redirect(post_url(post))
    else:
        form = EditPostForm(
            reader_page=reader.page,
            initial={"body": post.body, "spoiler_page": post.spoiler_page, "version": post.version},
        )
    context = {"meeting": post.meeting, "post": post, "form": form}
    return TemplateResponse(request, "meetings/post_edit.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def delete(request, post_id: int):
    post = _post_or_404(request, post_id)
    if post.author_id != request.user.pk:
        raise PermissionDenied("Only its author can delete a post.")
    if request.method != "POST":
        return confirm_page(
            request,
            Confirmation(
                question="Delete your post?",
                action_url=reverse("meetings:post_delete", args=[post.pk]),
                button="Delete",
                cancel_url=post_url(post),
                detail="A post with replies stays in the thread as “deleted”, without its text.",
            ),
        )
    try:
        services.post_delete(actor=request.user, post=post)
    except DomainError as error:
        return _thread_response(request, post, message=error.message, error=True, status=_status(error))
    return _thread_response(request, post, message="Your post was deleted.")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def report(request, post_id: int):
    post = _post_or_404(request, post_id)
    status = 200
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.post_report(reporter=request.user, post=post, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_error("reason", error.message)
                status = _status(error)
            else:
                message = "Thank you: the club's moderators will look at it."
                if is_fragment_request(request):
                    return _thread_response(request, post, message=message)
                messages.success(request, message)
                return redirect(post_url(post))
    context = {"meeting": post.meeting, "post": post, "form": form, "kind": "report"}
    return TemplateResponse(request, "meetings/post_reason.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def moderate(request, post_id: int):
    post = _post_or_404(request, post_id)
    if not permissions.can_moderate(request.user, post.meeting):
        raise PermissionDenied("Only the club's owner and moderators can hide or remove posts.")
    form = ModerationForm(request.POST or None, initial={"action": request.GET.get("action", "hide")})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.post_moderate(
                    actor=request.user,
                    post=post,
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error("reason" if error.code.startswith("reason") else None, error.message)
                status = _status(error)
            else:
                message = {
                    "hide": "The post is hidden.",
                    "remove": "The post is removed.",
                    "restore": "The post is back.",
                }[form.cleaned_data["action"]]
                if is_fragment_request(request):
                    return _thread_response(request, post, message=message)
                messages.success(request, message)
                return redirect(
                    request.POST.get("next") == "reports" and _reports_url(post) or post_url(post)
                )
    context = {"meeting": post.meeting, "post": post, "form": form, "kind": "moderate"}
    return TemplateResponse(request, "meetings/post_reason.html", context, status=status)


def _reports_url(post: Post) -> str:
    return reverse("meetings:reports", args=[post.meeting.club.slug])


@require_safe
@login_required_page
def reports(request, slug: str):
    """The moderators' queue: open reports on posts of the club's meetings."""
    club = get_object_or_404(Club, slug=slug)
    if not is_staff_of(request.user, club):
        raise PermissionDenied("Only the club's owner and moderators see its reports.")
    open_reports = list(
        PostReport.objects.filter(post__meeting__club=club, status=ReportStatus.OPEN)
        .select_related("post__author", "post__meeting__club", "post__meeting__book", "reporter")
        .order_by("-created_at", "-pk")[:100]
    )
    readers = {}
    for open_report in open_reports:
        meeting = open_report.post.meeting
        if meeting.pk not in readers:
            readers[meeting.pk] = reader_for(request.user, meeting)
        gated([open_report.post], readers[meeting.pk])
    return TemplateResponse(request, "meetings/reports.html", {"club": club, "reports": open_reports})


@require_POST
@login_required_page
def report_dismiss(request, report_id: int):
    open_report = get_object_or_404(PostReport.objects.select_related("post__meeting__club"), pk=report_id)
    if not is_staff_of(request.user, open_report.post.meeting.club):
        raise PermissionDenied("Only the club's owner and moderators handle reports.")
    try:
        services.report_dismiss(actor=request.user, report=open_report)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Report dismissed.")
    return redirect(_reports_url(open_report.post))
