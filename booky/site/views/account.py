"""The delete-account settings page: it lists the clubs the member owns, so the site serves it, mounted
into social's namespace as `social:delete_account` (booky/site/urls.py)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import Conflict, DomainError
from booky.core.htmx import is_fragment_request, redirect_for
from booky.site.accounts import account_delete, owned_clubs
from social.forms import DeleteAccountForm
from social.ratelimit import RateLimited, check_delete_account_rate


def _error_status(error: DomainError) -> int:
    """The form showing an error: 409 and 422 are the codes htmx swaps; 429 stays 429."""
    if isinstance(error, RateLimited):
        return 429
    return 409 if isinstance(error, Conflict) else 422


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def delete_account_page(request):
    """Delete (anonymize) the account after the password is typed again; the member is logged out."""
    template = "social/settings_delete.html"
    if is_fragment_request(request):
        template += "#delete-form"
    clubs = list(owned_clubs(request.user))
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                check_delete_account_rate(request)
                account_delete(user=request.user, password=form.cleaned_data["password"])
            except DomainError as error:
                form.add_error(None, error.message)
                status = _error_status(error)
            else:
                logout(request)
                messages.success(request, "Your account is deleted. Thank you for reading with us.")
                return redirect_for(request, reverse("home"))
    return TemplateResponse(request, template, {"form": form, "owned_clubs": clubs}, status=status)
