"""After a meeting: members rate the book (1–5) and may leave a short review for the club."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page, redirect_for
from clubs.visibility import mark_profile_visibility
from meetings import permissions, services
from meetings.forms import ReviewForm
from meetings.models import MeetingReview
from meetings.sections import visible_meeting


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def reviews(request, pk: int):
    meeting = visible_meeting(request, pk)
    if not permissions.can_read_reviews(request.user, meeting):
        raise PermissionDenied("The club's reviews are for its members.")
    mine = MeetingReview.objects.filter(meeting=meeting, user=request.user).first()
    status, saved = 200, False
    if request.method == "POST":
        form = ReviewForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                mine = services.review_save(user=request.user, meeting=meeting, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 409 if error.code in ("not_started", "cancelled") else 422
            else:
                if not is_fragment_request(request):
                    messages.success(request, "Thanks: your rating is saved.")
                    return redirect_for(request, request.path)
                status, saved = 200, True
    else:
        form = ReviewForm(initial={"rating": mine.rating, "review": mine.review} if mine else None)
    club_reviews = list(
        MeetingReview.objects.filter(meeting=meeting).select_related("user").order_by("-updated_at")
    )
    mark_profile_visibility(request.user, [review.user for review in club_reviews], club=meeting.club)
    summary = MeetingReview.objects.filter(meeting=meeting).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    context = {
        "meeting": meeting,
        "form": form,
        "mine": mine,
        "saved": saved,
        "can_review": permissions.can_review(request.user, meeting),
        "reviews": club_reviews,
        "summary": summary,
    }
    template = (
        "meetings/reviews.html#review-form" if is_fragment_request(request) else "meetings/reviews.html"
    )
    return TemplateResponse(request, template, context, status=status)
