"""The clubs directory (search, paging) and my clubs."""

from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.htmx import is_fragment_request, login_required_page
from clubs.models import Club, JoinRequest, Membership
from clubs.page_helpers import page_of

CLUBS_PER_PAGE = 12


@require_safe
@vary_on_headers("HX-Request")
def directory(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    clubs = Club.objects.visible_to(request.user).with_member_count().search(query).order_by("name", "pk")
    if request.user.is_authenticated:
        my_role = Membership.objects.filter(club=OuterRef("pk"), user=request.user).values("role")[:1]
        clubs = clubs.annotate(my_role=Subquery(my_role))
    page = page_of(request, clubs, CLUBS_PER_PAGE)
    is_fragment = is_fragment_request(request)
    template = "clubs/directory.html#results" if is_fragment else "clubs/directory.html"
    context = {
        "is_fragment": is_fragment,
        "query": query,
        "page": page,
        "page_query": urlencode({"q": query}) if query else "",
    }
    return TemplateResponse(request, template, context)


@require_safe
@login_required_page
def mine(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("club")
        .annotate(member_count=Count("club__memberships"))
        .order_by("club__name", "club__pk")
    )
    pending_requests = JoinRequest.objects.pending().filter(user=request.user).select_related("club")
    return TemplateResponse(
        request, "clubs/mine.html", {"memberships": memberships, "pending_requests": pending_requests}
    )
