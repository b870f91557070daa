"""The moderators' admin for meetings. Every change goes through meetings.services, as on the site.

Site staff with the meetings.change_meeting permission may edit, cancel and complete any club's
meetings (services._is_site_moderator). Meetings are scheduled by their club's hosts on the site, so
the admin adds none and deletes none (cancel instead: members keep the history).

- Meetings: edits call meeting_update with the version the form was loaded with, so a moderator
  never silently overwrites a host's change made in the meantime; cancel and complete are actions.
- Attendances and their progress history are read-only: members record their own progress.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ActionLocation

from booky.core.admin_actions import run_for_each
from booky.core.errors import DomainError
from booky.core.numbers import StrictIntegerField
from meetings.models import Attendance, Meeting, ProgressEntry
from meetings.services import (
    MEETING_EDITABLE_FIELDS,
    StaleVersion,
    meeting_cancel,
    meeting_complete,
    meeting_update,
)

EVERYWHERE = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
ADMIN_CANCEL_REASON = "Cancelled by the site moderators."


class MeetingChangeForm(forms.ModelForm):
    """Saves through meeting_update while validating, so its refusals show as form errors.

    The admin has no later step where a refusal can still become a form error: a DomainError in
    save_model would be a 500. The admin's view runs in one transaction, and the form's own
    validation after clean() only re-checks what the service has already saved.
    """

    version = StrictIntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Meeting
        fields = [*MEETING_EDITABLE_FIELDS, "version"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.saved = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        changes = {
            field: cleaned[field]
            for field in MEETING_EDITABLE_FIELDS
            if field in self.changed_data and field in cleaned
        }
        if not changes:
            return cleaned
        try:
            self.saved = meeting_update(
                actor=self.actor, meeting=self.instance, expected_version=cleaned["version"], **changes
            )
        except StaleVersion as stale:
            current = stale.current
            raise forms.ValidationError(
                f"{stale.message} Now: {current.starts_at:%Y-%m-%d %H:%M} UTC, place {current.place or '-'}, "
                f"target page {current.target_page} (version {current.version}). "
                "Reload the page to edit the current version.",
                code=stale.code,
            ) from stale
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        return cleaned

    def _post_clean(self):
        # The service validated and saved; the instance now mirrors what is stored.
        if self.saved is not None:
            self.instance = self.saved
            return
        super()._post_clean()


class ProgressEntryInline(admin.TabularInline):
    model = ProgressEntry
    fields = ["page", "finished", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-recorded_at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingChangeForm
    list_display = ["__str__", "club", "book", "starts_at", "status", "version"]
    list_filter = ["status", "club"]
    search_fields = ["title", "book__title", "club__name", "club__slug"]
    list_select_related = ["club", "book"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["book"]
    readonly_fields = ["club", "status", "cancel_reason", "ends_at", "created_by", "created_at", "updated_at"]
    fields = [
        "club",
        *MEETING_EDITABLE_FIELDS,
        "version",
        "status",
        "cancel_reason",
        "ends_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    actions = ["cancel_meetings", "complete_meetings"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class BoundToActor(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, actor=request.user, **form_kwargs)

        BoundToActor.__name__ = form.__name__
        return BoundToActor

    def save_model(self, request, obj, form, change):
        pass  # saved by meeting_update in the form's validation

    @admin.action(
        description="Cancel this meeting",
        description_plural="Cancel selected meetings",
        permissions=["change"],
        location=EVERYWHERE,
    )
    def cancel_meetings(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("club", "book"),
            lambda meeting: meeting_cancel(actor=request.user, meeting=meeting, reason=ADMIN_CANCEL_REASON),
            "Cancelled",
        )

    @admin.action(
        description="Mark this meeting as completed",
        description_plural="Mark selected meetings as completed",
        permissions=["change"],
        location=EVERYWHERE,
    )
    def complete_meetings(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("club", "book"),
            lambda meeting: meeting_complete(actor=request.user, meeting=meeting),
            "Completed",
        )


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    """Read-only: RSVPs and progress belong to the members; check-in to the hosts."""

    list_display = ["user", "meeting", "rsvp", "current_page", "finished", "checked_in", "updated_at"]
    list_filter = ["rsvp", "finished", "checked_in", "meeting__status"]
    search_fields = ["user__username", "user__display_name", "meeting__title", "meeting__book__title"]
    list_select_related = ["user", "meeting__book"]
    fields = [
        "meeting",
        "user",
        "rsvp",
        "current_page",
        "finished",
        "finished_at",
        "checked_in",
        "checked_in_at",
        "version",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [ProgressEntryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
