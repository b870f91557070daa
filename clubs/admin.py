"""The moderators' admin for clubs. Every change goes through clubs.services, as on the site.

Site staff with the clubs.change_club permission count as moderators of every club (see
services._is_site_moderator), so the services accept their actions here.

- Clubs: the add form asks for an owner and calls club_create, so every club starts with exactly one
  owner membership; edits call club_update (the slug and invite code are read-only; codes change with
  the "rotate" action); deletion calls club_delete.
- Memberships and join requests are read-only rows; roles, removals and decisions are actions that
  call the services and report, per row, what they refused.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count
from django.utils.text import Truncator

from booky.core.admin_actions import run_for_each
from clubs.models import Club, JoinRequest, Membership, Nomination, Poll, Role
from clubs.polls.services import poll_close
from clubs.services import (
    EDITABLE_FIELDS,
    club_create,
    club_delete,
    club_rotate_invite_code,
    club_update,
    join_request_approve,
    join_request_decline,
    membership_remove,
    membership_set_role,
)
from social.models import User

# Moderation actions are offered on the changelist and on each row's own page.
EVERYWHERE = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def _is_moderator(request) -> bool:
    return request.user.is_staff and request.user.has_perm("clubs.change_club")


class ClubAddForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=AutocompleteSelect(Membership._meta.get_field("user"), admin.site),
        help_text="The club starts with this person as its only owner.",
    )

    class Meta:
        model = Club
        fields = [*EDITABLE_FIELDS, "owner"]


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "join_policy", "member_count", "created_at"]
    list_filter = ["visibility", "join_policy"]
    search_fields = ["name", "city", "slug"]
    readonly_fields = ["slug", "invite_code", "created_at"]
    fields = [*EDITABLE_FIELDS, "slug", "invite_code", "created_at"]
    add_form = ClubAddForm
    add_fields = [*EDITABLE_FIELDS, "owner"]
    actions = ["rotate_invite_codes"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).with_member_count()

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, club: Club) -> int:
        return club.member_count

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _is_moderator(request)

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS if field in form.cleaned_data}
        if change:
            changed = {field: value for field, value in values.items() if field in form.changed_data}
            if changed:
                club_update(actor=request.user, club=obj, **changed)
            return
        club = club_create(owner=form.cleaned_data["owner"], **values)
        # The admin carries on with `obj` (change log, redirect), so it becomes the created club.
        obj.pk = club.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request, obj):
        club_delete(actor=request.user, club=obj)

    def delete_queryset(self, request, queryset):
        for club in queryset:
            club_delete(actor=request.user, club=club)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # What goes with a club (memberships, requests, invitations, its meetings and their attendances)
        # goes by design, and club_delete decides (apps above veto through events.club_deleting): the
        # rows need no delete permission of their own, so a moderator can remove a club with meetings.
        return deleted, counts, set(), protected

    @admin.action(
        description="Reset this club's invite link",
        description_plural="Reset the invite link of selected clubs",
        permissions=["change"],
        location=EVERYWHERE,
    )
    def rotate_invite_codes(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda club: club_rotate_invite_code(actor=request.user, club=club),
            "Invite links reset",
        )


class ReadOnlyRowsAdmin(admin.ModelAdmin):
    """Rows change only through actions that call the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request) -> bool:
        return _is_moderator(request)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Membership)
class MembershipAdmin(ReadOnlyRowsAdmin):
    list_display = ["user", "club", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "user__display_name", "club__name", "club__slug"]
    list_select_related = ["user", "club"]
    actions = ["make_moderators", "make_members", "remove_members"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.role == Role.OWNER or obj.user_id == request.user.pk):
            return False  # owners leave by transfer; staff leave their own clubs on the site
        return super().has_delete_permission(request, obj) and _is_moderator(request)

    def delete_model(self, request, obj):
        membership_remove(actor=request.user, membership=obj)

    def _set_role(self, request, queryset, role: str, done: str) -> None:
        run_for_each(
            self,
            request,
            queryset,
            lambda membership: membership_set_role(actor=request.user, membership=membership, role=role),
            done,
        )

    @admin.action(
        description="Make this member a moderator",
        description_plural="Make selected members moderators",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def make_moderators(self, request, queryset):
        self._set_role(request, queryset, Role.MODERATOR, "Made moderators")

    @admin.action(
        description="Make this moderator a plain member",
        description_plural="Make selected moderators plain members",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def make_members(self, request, queryset):
        self._set_role(request, queryset, Role.MEMBER, "Made plain members")

    @admin.action(
        description="Remove this member from the club",
        description_plural="Remove selected members from their clubs",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def remove_members(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda membership: membership_remove(actor=request.user, membership=membership),
            "Removed from their clubs",
        )


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyRowsAdmin):
    list_display = ["user", "club", "status", "short_message", "created_at", "decided_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__username", "user__email", "club__name", "club__slug", "message"]
    list_select_related = ["user", "club", "decided_by"]
    actions = ["approve_requests", "decline_requests"]

    @admin.display(description="Note to the moderators")
    def short_message(self, join_request: JoinRequest) -> str:
        return Truncator(join_request.message).chars(80)

    @admin.action(
        description="Approve this request: the requester becomes a member",
        description_plural="Approve selected requests: the requesters become members",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def approve_requests(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda join_request: join_request_approve(actor=request.user, join_request=join_request),
            "Approved",
        )

    @admin.action(
        description="Decline this request",
        description_plural="Decline selected requests",
        permissions=["moderate"],
        location=EVERYWHERE,
    )
    def decline_requests(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda join_request: join_request_decline(actor=request.user, join_request=join_request),
            "Declined",
        )


class NominationInline(admin.TabularInline):
    model = Nomination
    fields = ["book", "nominated_by", "pitch", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _is_moderator(request)


@admin.register(Poll)
class PollAdmin(ReadOnlyRowsAdmin):
    """Polls as the club sees them. Ballots are secret, so they have no admin: only the turnout shows."""

    list_display = ["title", "club", "mode", "phase_label", "voting_closes_at", "turnout", "winner_title"]
    list_filter = ["mode", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "club__name", "club__slug"]
    list_select_related = ["club", "winner__book"]
    fields = [
        "club", "title", "description", "mode", "nominations_by", "max_nominations", "nominations_close_at",
        "voting_closes_at", "show_live_results", "created_by", "created_at", "closed_at", "winner_title",
        "ballots_counted", "turnout",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [NominationInline]
    actions = ["close_due"]

    def has_view_permission(self, request, obj=None):
        # Site moderators (clubs.change_club) look after clubs, and so after their polls.
        return super().has_view_permission(request, obj) or _is_moderator(request)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(ballot_count=Count("ballots"))

    @admin.display(description="Phase")
    def phase_label(self, poll):
        return poll.phase_label

    @admin.display(description="Ballots cast", ordering="ballot_count")
    def turnout(self, poll):
        return poll.ballot_count

    @admin.display(description="Winner")
    def winner_title(self, poll):
        return poll.winner.book.title if poll.winner_id else "—"

    @admin.action(
        description="Count and close the selected polls whose voting has ended", permissions=["moderate"]
    )
    def close_due(self, request, queryset):
        closed = sum(poll_close(poll_id=poll.pk) for poll in queryset)
        self.message_user(
            request, f"Polls counted and closed: {closed}. Polls still voting stay open.", messages.SUCCESS
        )
