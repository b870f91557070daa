"""Site-wide pages: the home page and the error pages (JSON under /api/, HTML elsewhere)."""

import sys

from django.db.models import OuterRef, Subquery
from django.http import JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from booky import outages
from booky.request_bodies import MalformedBody
from clubs.models import Club, Membership


@require_safe
def home(request):
    if not request.user.is_authenticated:
        featured = Club.objects.visible_to(None).with_member_count().order_by("-member_count", "name")[:6]
        return TemplateResponse(request, "booky/landing.html", {"featured_clubs": featured})
    from meetings.models import Meeting
    from meetings.views import upcoming_with_my_attendance, viewer_timezone

    next_of_club = Meeting.objects.filter(club=OuterRef("club")).upcoming()
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("club")
        .annotate(
            next_meeting_id=Subquery(next_of_club.values("pk")[:1]),
            next_meeting_at=Subquery(next_of_club.values("starts_at")[:1]),
        )
        .order_by("club__name")
    )
    next_meetings = upcoming_with_my_attendance(
        request.user, Meeting.objects.of_member(request.user).upcoming().with_page_data()[:1]
    )
    from bets.selectors import balance_of
    from social.activity import activity_feed

    context = {
        "memberships": memberships,
        "next_meeting": next_meetings[0] if next_meetings else None,
        "balance": balance_of(request.user),
        "activity": activity_feed(request.user),
    }
    with timezone.override(viewer_timezone(request.user)):
        return TemplateResponse(request, "booky/dashboard.html", context).render()


def _error(request, status: int, code: str, detail: str, template: str):
    if outages.wants_json(request):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return render(request, template, {"detail": detail}, status=status)


def page_not_found(request, exception=None):
    message = "We could not find that page. It may have moved, or you may not have access to it."
    return _error(request, 404, "not_found", message, "404.html")


def permission_denied(request, exception=None):
    detail = str(exception) if exception and str(exception) else "You do not have permission to do that."
    return _error(request, 403, "permission_denied", detail, "403.html")


def bad_request(request, exception=None):
    detail = (
        str(exception) if isinstance(exception, MalformedBody) else "The request could not be understood."
    )
    return _error(request, 400, "bad_request", detail, "400.html")


def server_error(request):
    # A database failure in another middleware (saving the session) lands here, not in a view.
    if outages.is_database_unavailable(sys.exception()):
        return outages.service_unavailable(request)
    return _error(
        request, 500, "server_error", "Something went wrong on our side. Please try again.", "500.html"
    )


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (a stale tab, cookies blocked): say what to do."""
    return _error(
        request,
        403,
        "csrf_failed",
        "This form expired or your browser blocked our cookie. Reload the page and try again.",
        "403.html",
    )
