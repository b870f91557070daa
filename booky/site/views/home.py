"""The home page: a landing page for visitors, the dashboard (clubs, next meeting, points, friends'
activity) for members."""

from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from bets.selectors import balance_of
from booky.site.activity import activity_feed
from clubs.models import Club, Membership
from meetings.models import Meeting
from meetings.selectors import upcoming_with_my_attendance


@require_safe
def home(request):
    if not request.user.is_authenticated:
        featured = Club.objects.visible_to(None).with_member_count().order_by("-member_count", "name")[:6]
        return TemplateResponse(request, "booky/landing.html", {"featured_clubs": featured})
    next_of_club = Meeting.objects.filter(club=OuterRef("club")).upcoming()
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("club")
        .annotate(
            next_meeting_id=Subquery(next_of_club.values("pk")[:1]),
            next_meeting_at=Subquery(next_of_club.values("starts_at")[:1]),
            next_meeting_timezone=Subquery(next_of_club.values("timezone")[:1]),
        )
        .order_by("club__name")
    )
    next_meetings = upcoming_with_my_attendance(
        request.user, Meeting.objects.of_member(request.user).upcoming().with_page_data()[:1]
    )

    context = {
        "memberships": memberships,
        "next_meeting": next_meetings[0] if next_meetings else None,
        "balance": balance_of(request.user),
        # Called by the template only when its minute-long cache of the feed has run out.
        "activity_feed": lambda: activity_feed(request.user),
    }
    return TemplateResponse(request, "booky/dashboard.html", context)
