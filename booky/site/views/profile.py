"""A member's profile page: their clubs, reading and standing come from other apps, so the site serves
it, mounted into social's people namespace as `people:profile` (booky/site/urls.py). Its buttons
(add friend, block, ...) post to social's `people:act`."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.htmx import is_fragment_request
from booky.site.profile import profile_for
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
