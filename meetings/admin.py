"""The moderators' admin for meetings. Every change goes through meetings.services, as on the site.

Site staff with the meetings.change_meeting permission may edit, cancel and complete any club's
meetings (services._is_site_moderator). Meetings are scheduled by their club's hosts on the site, so
the admin adds none and deletes none (cancel instead: members keep the history).

- Meetings: edits call meeting_update with the version the form was loaded with, so a moderator
  never silently overwrites a host's change made in the meantime; cancel and complete are actions.
- Attendances and their progress history are read-only: members record their own progress.
- Discussion posts and reports are read-only too (members write them on the site); hide, remove and
  restore posts, and dismiss reports, are actions calling meetings.discussion.services. Hiding and
  removing ask for the reason first on a page of their own and write nothing without one.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.db.models import Case, When
from django.template.response import TemplateResponse
from django.urls import reverse

from booky.core.admin_actions import run_for_each
from booky.core.errors import DomainError
from booky.core.numbers import StrictIntegerField
from meetings.discussion.models import MODERATION_REASON_MAX_LENGTH, Post, PostReport, ReportStatus
from meetings.discussion.services import post_moderate, report_dismiss
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


class ModerationReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=MODERATION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. The author and the club's members read it in place of the post.",
        error_messages={"required": "Say why: the author and the members read the reason."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why: the author and the members read the reason.")
        return reason


def _moderation_step(modeladmin, request, queryset, *, action: str, title: str, button: str, posts_of):
    """An action that asks for a reason first: the first POST shows the form (nothing is written);
    the second, with a reason, calls post_moderate for each selected post."""
    form = ModerationReasonForm(request.POST if "apply_moderation" in request.POST else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        run_for_each(
            modeladmin,
            request,
            posts_of(queryset),
            lambda post: post_moderate(actor=request.user, post=post, action=action, reason=reason),
            "Hidden" if action == "hide" else "Removed",
        )
        return None
    # Carry the action's own fields (action, selection, index) back with the reason.
    carried = [
        (name, value)
        for name in request.POST
        if name not in {"csrfmiddlewaretoken", "reason", "apply_moderation"}
        for value in request.POST.getlist(name)
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "button": button,
        "form": form,
        "carried": carried,
        "posts": list(posts_of(queryset)),
        "opts": modeladmin.model._meta,
        "changelist_url": reverse(
            f"admin:{modeladmin.model._meta.app_label}_{modeladmin.model._meta.model_name}_changelist"
        ),
    }
    return TemplateResponse(
        request,
        "admin/meetings/moderation_reason.html",
        context,
        status=422 if form.errors else 200,
    )


class ModerateDiscussionMixin:
    """Site staff who moderate meetings (meetings.change_meeting, the "Moderators" group) moderate
    their discussions too: they read posts and reports and run the actions, which call the services
    (services._is_site_moderator lets them act on any club). Nobody adds or edits posts here."""

    def _may_moderate(self, request) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and request.user.has_perm("meetings.change_meeting")
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._may_moderate(request)

    def has_moderate_permission(self, request):
        return self._may_moderate(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._may_moderate(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PostReportInline(admin.TabularInline):
    model = PostReport
    fields = ["status", "reporter", "reason", "created_at", "resolved_by", "resolved_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter", "resolved_by")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or (
            request.user.is_staff and request.user.has_perm("meetings.change_meeting")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(ModerateDiscussionMixin, admin.ModelAdmin):
    """Posts are written by members on the site; moderators hide, remove and restore them here."""

    list_display = ["id", "meeting", "author", "spoiler_page", "status", "created_at", "reply_count"]
    list_display_links = ["id"]
    list_filter = ["status", "created_at", ("meeting__club", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "body",
        "author__username",
        "meeting__title",
        "meeting__book__title",
        "meeting__club__name",
    ]
    list_select_related = ["meeting__book", "author"]
    date_hierarchy = "created_at"
    raw_id_fields = ["meeting", "author", "parent", "moderated_by"]
    fields = [
        "meeting",
        "author",
        "parent",
        "spoiler_page",
        "status",
        "moderation_reason",
        "moderated_by",
        "body",
        "body_html",
        "reply_count",
        "version",
        "created_at",
        "edited_at",
    ]
    readonly_fields = fields
    inlines = [PostReportInline]
    actions = ["hide_posts", "remove_posts", "restore_posts"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("meeting__club", "meeting__book", "author", "parent", "moderated_by")
        )

    @staticmethod
    def _posts(queryset):
        return queryset.select_related("meeting__club", "meeting__book", "author")

    @admin.action(
        description="Hide this post (with a reason)",
        description_plural="Hide selected posts (with a reason)",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def hide_posts(self, request, queryset):
        return _moderation_step(
            self, request, queryset, action="hide", title="Hide posts", button="Hide", posts_of=self._posts
        )

    @admin.action(
        description="Remove this post (with a reason)",
        description_plural="Remove selected posts (with a reason)",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def remove_posts(self, request, queryset):
        return _moderation_step(
            self,
            request,
            queryset,
            action="remove",
            title="Remove posts",
            button="Remove",
            posts_of=self._posts,
        )

    @admin.action(
        description="Restore this hidden post",
        description_plural="Restore selected hidden posts",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def restore_posts(self, request, queryset):
        run_for_each(
            self,
            request,
            self._posts(queryset),
            lambda post: post_moderate(actor=request.user, post=post, action="restore"),
            "Restored",
        )


@admin.register(PostReport)
class PostReportAdmin(ModerateDiscussionMixin, admin.ModelAdmin):
    """The reports queue: open ones first. Dismiss a report, or hide or remove its post."""

    list_display = ["id", "status", "post", "reporter", "reason", "created_at", "resolved_by"]
    list_display_links = ["id"]
    list_filter = ["status", "created_at", ("post__meeting__club", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reason", "reporter__username", "post__body"]
    list_select_related = ["post", "reporter", "resolved_by"]
    raw_id_fields = ["post", "reporter", "resolved_by"]
    fields = ["post", "reporter", "reason", "status", "created_at", "resolved_by", "resolved_at"]
    readonly_fields = fields
    actions = ["dismiss_reports", "hide_reported_posts", "remove_reported_posts"]

    def get_ordering(self, request):
        # Open reports first (the queue), then newest first.
        return [Case(When(status=ReportStatus.OPEN, then=0), default=1), "-created_at", "-pk"]

    @staticmethod
    def _posts(queryset):
        return Post.objects.filter(pk__in=queryset.values("post")).select_related(
            "meeting__club", "meeting__book", "author"
        )

    @admin.action(
        description="Dismiss this report",
        description_plural="Dismiss selected reports",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def dismiss_reports(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("post__meeting__club"),
            lambda report: report_dismiss(actor=request.user, report=report),
            "Dismissed",
        )

    @admin.action(
        description="Hide the reported post (with a reason)",
        description_plural="Hide the reported posts (with a reason)",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def hide_reported_posts(self, request, queryset):
        return _moderation_step(
            self,
            request,
            queryset,
            action="hide",
            title="Hide the reported posts",
            button="Hide",
            posts_of=self._posts,
        )

    @admin.action(
        description="Remove the reported post (with a reason)",
        description_plural="Remove the reported posts (with a reason)",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def remove_reported_posts(self, request, queryset):
        return _moderation_step(
            self,
            request,
            queryset,
            action="remove",
            title="Remove the reported posts",
            button="Remove",
            posts_of=self._posts,
        )
