"""Creating, editing and deleting a club."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import DomainError
from booky.core.forms import add_validation_error
from booky.core.htmx import is_fragment_request, login_required_page, redirect_for
from clubs import permissions, services
from clubs.forms import ClubDeleteForm, ClubForm, RemindersForm
from clubs.page_helpers import visible_club


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def create(request):
    form = ClubForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            club = services.club_create(owner=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"{club.name} is ready. Invite people to join!")
            return redirect_for(request, club.get_absolute_url())
    return _form_response(request, "clubs/form.html", {"form": form, "club": None})


def _form_response(request, template: str, context: dict):
    status = 422 if context["form"].is_bound else 200
    if is_fragment_request(request):
        template += "#club-form"
    return TemplateResponse(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def edit(request, slug):
    club = visible_club(request, slug)
    if not permissions.can_edit_club(request.user, club):
        raise PermissionDenied("Only the owner and moderators can edit this club.")
    form = ClubForm.for_club(club, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            club = services.club_update(actor=request.user, club=club, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, "Club details saved.")
            return redirect_for(request, club.get_absolute_url())
    return _form_response(request, "clubs/form.html", {"form": form, "club": club})


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def delete(request, slug):
    club = visible_club(request, slug)
    if not permissions.can_delete_club(request.user, club):
        raise PermissionDenied("Only the owner can delete this club.")
    form = ClubDeleteForm(data=request.POST if request.method == "POST" else None, club=club)
    if request.method == "POST" and form.is_valid():
        name = club.name
        try:
            services.club_delete(actor=request.user, club=club)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{name} was deleted.")
            return redirect_for(request, reverse("clubs:mine"))
    template = "clubs/delete.html"
    if is_fragment_request(request):
        template += "#delete-form"
    return TemplateResponse(
        request, template, {"club": club, "form": form}, status=422 if form.is_bound else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def reminders(request, slug):
    """The club's default reminders: what members get unless they choose their own."""
    club = visible_club(request, slug)
    if not permissions.can_edit_club(request.user, club):
        raise PermissionDenied("Only the owner and moderators can change the club's reminders.")
    status = 200
    if request.method == "POST":
        form = RemindersForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.club_reminders_set(actor=request.user, club=club, leads=form.cleaned_data["leads"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Saved: members without their own choice get these reminders.")
                return redirect_for(request, club.get_absolute_url())
    else:
        form = RemindersForm(initial={"leads": club.reminder_leads})
    return TemplateResponse(request, "clubs/reminders.html", {"club": club, "form": form}, status=status)
