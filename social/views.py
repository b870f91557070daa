from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from booky.errors import DomainError
from social.forms import ProfileForm
from social.services import user_update_profile

SAVED_MESSAGE = "Your profile is saved."


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def settings_page(request):
    user = request.user
    template = "social/settings.html"
    if request.htmx and not request.htmx.boosted:
        template += "#profile-form"
    if request.method == "GET":
        form = ProfileForm(
            initial={"display_name": user.display_name, "bio": user.bio, "timezone": user.timezone}
        )
        return TemplateResponse(request, template, {"form": form})

    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user_update_profile(user=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
    if not form.is_valid():
        return TemplateResponse(request, template, {"form": form}, status=422)
    if request.htmx:
        # The form stays where it is, now showing the saved values and a confirmation.
        return TemplateResponse(
            request, template, {"form": ProfileForm(initial=form.cleaned_data), "saved": True}
        )
    messages.success(request, SAVED_MESSAGE)
    return redirect("social:settings")


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def calendar_page(request):
    """The private calendar feed URL, and a button that replaces its secret token."""
    from meetings.services import calendar_feed_get_or_create, calendar_feed_reset
    from meetings.views import feed_url

    reset = request.method == "POST"
    feed = calendar_feed_reset(user=request.user) if reset else calendar_feed_get_or_create(user=request.user)
    if reset and not (request.htmx and not request.htmx.boosted):
        messages.success(request, CALENDAR_RESET_MESSAGE)
        return redirect("social:calendar")
    template = "social/settings_calendar.html"
    if request.htmx and not request.htmx.boosted:
        template += "#calendar-feed"
    return TemplateResponse(request, template, {"feed_url": feed_url(request, feed), "reset": reset})


CALENDAR_RESET_MESSAGE = "Done: your calendar link is new. Calendars subscribed with the old link stop updating."
