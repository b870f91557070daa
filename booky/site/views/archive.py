"""The club's "Books we have read" page (booky/site/archive.py builds it), filtered by year and paged,
and its CSV for the owners."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from booky.core.htmx import login_required_page
from booky.core.numbers import Paginator
from booky.site import archive
from clubs.page_helpers import visible_club
from clubs.permissions import is_member, is_owner
from clubs.visibility import mark_profile_visibility


@require_safe
def archive_page(request, slug):
    club = visible_club(request, slug)
    years = archive.archive_years(club)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() and int(raw_year) in years else None
    page = Paginator(archive.past_meetings(club, year=year), archive.ARCHIVE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    meetings = list(page.object_list)
    archive.attach_races(meetings)
    member = is_member(request.user, club)
    runners = [runner.user for meeting in meetings for runner in meeting.runners]
    records = archive.member_records(club) if member else []
    mark_profile_visibility(
        request.user, runners + [record.user for record in records], club=club, viewer_is_member=member
    )
    context = {
        "club": club,
        "page": page,
        "meetings": meetings,
        "years": years,
        "year": year,
        "page_query": f"year={year}" if year else "",
        "is_member": member,
        "is_owner": is_owner(request.user, club),
        "records": records,
    }
    return TemplateResponse(request, "site/archive.html", context)


@require_safe
@login_required_page
def archive_csv(request, slug):
    club = visible_club(request, slug)
    if not is_owner(request.user, club):
        raise PermissionDenied("Only the club's owner downloads its archive.")
    response = HttpResponse(archive.archive_csv(club), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{club.slug}-archive.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
