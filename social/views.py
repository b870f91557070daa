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
