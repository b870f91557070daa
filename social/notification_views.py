"""The notifications pages: the bell, the list, mark read, email preferences and unsubscribe.

Reads are one query each (the page of notifications with its actors, the unread count); writes go
through social.notifications.
"""

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import DomainError
from booky.core.etags import fragment_etag, not_modified, with_fragment_etag
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from booky.core.numbers import Paginator
from social import notifications
from social.models import Notification, NotificationKind
from social.unsubscribe import InvalidUnsubscribeToken, unsubscribe_read

NOTIFICATIONS_PER_PAGE = 20
# Tells the bell (and anything else showing the count) to refresh itself.
CHANGED_EVENT = "notifications-changed"


def _page_number(request) -> str:
    value = request.POST.get("page") or request.GET.get("page") or "1"
    return value if value.isascii() and value.isdigit() else "1"  # "٥".isdigit() is True


def _list_context(request) -> dict:
    inbox = Notification.objects.filter(recipient=request.user).select_related("actor")
    page = Paginator(inbox, NOTIFICATIONS_PER_PAGE).get_page(_page_number(request))
    return {"page": page, "unread_count": notifications.unread_count(request.user)}


@require_safe
@vary_on_headers("HX-Request")
@login_required_page
def notifications_page(request):
    context = _list_context(request)
    template = "social/notifications.html"
    if _is_fragment_request(request):
        template += "#notification-list"
    return TemplateResponse(request, template, context)


@require_safe
@login_required_page
def bell(request):
    """The bell alone, with its unread count: the nav polls it every minute while the tab is visible
    (304 when the count is the same)."""
    unread_count = notifications.unread_count(request.user)
    etag = fragment_etag("bell", request.user.pk, unread_count)
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    response = TemplateResponse(request, "social/notifications_bell.html", {"unread_count": unread_count})
    return with_fragment_etag(response, etag)


def _back_to_list(request):
    url = reverse("notifications:list")
    page = _page_number(request)
    return redirect(f"{url}?page={page}" if page != "1" else url)


@require_POST
@login_required_page
def mark_read(request, pk: int):
    try:
        notification = notifications.notification_mark_read(user=request.user, notification_id=pk)
    except DomainError as error:  # not one of the user's notifications
        raise Http404(error.message) from error
    if not _is_fragment_request(request):
        return _back_to_list(request)
    response = TemplateResponse(
        request, "social/notifications.html#notification-item", {"notification": notification, "page": None}
    )
    response["HX-Trigger"] = CHANGED_EVENT
    return response


@require_POST
@login_required_page
def mark_all_read(request):
    count = notifications.notifications_mark_all_read(user=request.user)
    if not _is_fragment_request(request):
        return _back_to_list(request)
    context = _list_context(request)
    context["list_message"] = (
        f"Marked {count} notification{'s' if count != 1 else ''} as read."
        if count
        else "Everything was already read."
    )
    response = TemplateResponse(request, "social/notifications.html#notification-list", context)
    response["HX-Trigger"] = CHANGED_EVENT
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def open_notification(request, pk: int):
    """Follow a notification to its page; POST (the list's button) also marks it read on the way.

    GET only navigates, so a prefetching browser or a link checker never marks anything read.
    """
    try:
        if request.method == "POST":
            notification = notifications.notification_mark_read(user=request.user, notification_id=pk)
        else:
            notification = Notification.objects.get(recipient=request.user, pk=pk)
    except (DomainError, Notification.DoesNotExist):
        return redirect("notifications:list")
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:list")
    return HttpResponseRedirect(target)


# --- email preferences --------------------------------------------------------------------------


class EmailPreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label="Email me about",
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Unticked events still show under the bell; they just do not send an email.",
    )

    def muted_kinds(self) -> list[str]:
        wanted = set(self.cleaned_data["email_kinds"])
        return [kind for kind in NotificationKind.values if kind not in wanted]


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def settings_page(request):
    user = request.user
    saved = False
    if request.method == "POST":
        form = EmailPreferencesForm(data=request.POST)
        if form.is_valid():
            notifications.email_preferences_update(user=user, muted_kinds=form.muted_kinds())
            saved = True
            form = EmailPreferencesForm(initial=_preferences_initial(user))
    else:
        form = EmailPreferencesForm(initial=_preferences_initial(user))
    template = "social/settings_notifications.html"
    if _is_fragment_request(request):
        template += "#email-preferences"
    status = 422 if form.is_bound and not form.is_valid() else 200
    return TemplateResponse(request, template, {"form": form, "saved": saved}, status=status)


def _preferences_initial(user) -> dict:
    muted = set(user.email_muted_kinds or [])
    return {"email_kinds": [kind for kind in NotificationKind.values if kind not in muted]}


# --- one-click unsubscribe (no login) -----------------------------------------------------------


@csrf_exempt  # mail clients POST here without a session (RFC 8058); the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request):
    token = request.GET.get("token") or request.POST.get("token") or ""
    try:
        unsubscription = unsubscribe_read(token)
    except InvalidUnsubscribeToken as error:
        return TemplateResponse(
            request, "social/notifications_unsubscribe.html", {"error": error.message}, status=400
        )
    done = False
    if request.method == "POST":
        notifications.email_kind_mute(user=unsubscription.user, kind=unsubscription.kind)
        done = True
    context = {"unsubscription": unsubscription, "token": token, "done": done}
    return TemplateResponse(request, "social/notifications_unsubscribe.html", context)
