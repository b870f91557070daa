"""A member's profile page: their clubs, reading and standing come from other apps, so the site serves
it, mounted into social's people namespace as `people:profile` (booky/site/urls.py). Its buttons
(add friend, block, ...) post to social's `people:act`."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.htmx import is_fragment_request
from booky.core.timezones import viewer_timezone
from booky.site.profile import profile_for
from booky.site.year_in_reading import year_in_reading
from social import selectors
from social.permissions import can_view_profile


@require_safe
@vary_on_headers("HX-Request")
def profile_page(request, username):
    """A member's profile; 404 whenever the viewer may not see it, so hidden profiles do not exist."""
    user = get_object_or_404(selectors.live_users(), username__iexact=username)
    if not can_view_profile(request.user, user):
        raise Http404("No such profile.")
    person = selectors.person(request.user, user)
    if is_fragment_request(request):
        context = {"person": person, "next_url": request.get_full_path()}
        return TemplateResponse(request, "social/profile.html#relationship", context)
    profile = profile_for(request.user, person)
    context = {
        "person": person,
        "profile": profile,
        "is_me": request.user.is_authenticated and request.user.pk == person.pk,
        "next_url": request.get_full_path(),
    }
    return TemplateResponse(request, "social/profile.html", context)


@require_safe
def year_page(request, username, year=None):
    """A member's year in reading (books, pages, meetings, points, by month); as visible as their profile."""
    user = get_object_or_404(selectors.live_users(), username__iexact=username)
    if not can_view_profile(request.user, user):
        raise Http404("No such profile.")
    zone = viewer_timezone(request.user)
    this_year = timezone.now().astimezone(zone).year
    year = year or this_year
    if not 2000 <= year <= this_year:
        raise Http404("No such year.")
    person = selectors.person(request.user, user)
    context = {
        "person": person,
        "is_me": request.user.is_authenticated and request.user.pk == person.pk,
        "stats": year_in_reading(person, year, zone),
        "years": list(range(this_year, max(2000, this_year - 4) - 1, -1)),
    }
    return TemplateResponse(request, "site/year.html", context)
