"""The member's reminders, per club: a week, a day, an hour before (any of them, or none); a club's
defaults until the member chooses. Mounted in the settings (booky/site/urls.py: /settings/reminders/)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from booky.core.errors import DomainError
from booky.core.htmx import login_required_page, redirect_for
from clubs.forms import RemindersForm
from clubs.models import Club, Membership, clean_reminder_leads
from meetings import services
from meetings.models import ReminderPreference


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def reminder_settings(request):
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("club").order_by("club__name")
    )
    chosen = dict(ReminderPreference.objects.filter(user=request.user).values_list("club_id", "leads"))
    status, errors = 200, {}
    if request.method == "POST":
        raw = str(request.POST.get("club", ""))
        club = get_object_or_404(
            Club, pk=int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else 0
        )
        form = RemindersForm(request.POST, prefix=f"club-{club.pk}")
        if form.is_valid():
            try:
                services.reminder_preference_set(
                    user=request.user, club=club, leads=form.cleaned_data["leads"]
                )
            except DomainError as error:
                errors[club.pk] = error.message
            else:
                messages.success(request, f"Reminders for {club.name} saved.")
                return redirect_for(request, reverse("social:reminders"))
        else:
            errors[club.pk] = " ".join(
                form.errors.get("leads", ["Choose from: a week, a day or an hour before."])
            )
        status = 422 if errors else 200
    rows = []
    for membership in memberships:
        club = membership.club
        leads = (
            clean_reminder_leads(chosen[club.pk])
            if club.pk in chosen
            else clean_reminder_leads(club.reminder_leads)
        )
        rows.append(
            {
                "club": club,
                "form": RemindersForm(initial={"leads": leads}, prefix=f"club-{club.pk}"),
                "uses_default": club.pk not in chosen,
                "error": errors.get(club.pk, ""),
            }
        )
    listed = {row["club"].pk for row in rows}
    page_error = next((message for pk, message in errors.items() if pk not in listed), "")
    context = {"rows": rows, "page_error": page_error}
    return TemplateResponse(request, "social/settings_reminders.html", context, status=status)
