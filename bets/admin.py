"""The moderators' admin for points and bets: everything is read-only, as a bank statement is.

It also composes the member's page (social's user admin) with what clubs and bets know of them: the
balance and recent ledger, their clubs and roles, their recent bets. Bets is the app that may import
all three (apps depend one way), and its admin module loads after social's, so it re-registers User.

Balances change only through bets.services. The one write here is "Adjust points" (a link on the
ledger's list), which calls `points_adjust` with a mandatory reason and needs the
bets.add_ledgerentry permission; it adds a ledger row like every other change. Ledger rows can be
neither edited nor deleted, not even by a superuser.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from bets.models import MAX_STAKE, Account, Bet, LedgerEntry
from bets.services import points_adjust
from booky.core.errors import DomainError
from booky.core.numbers import StrictIntegerField
from clubs.models import Membership
from social.admin import UserAdmin as SocialUserAdmin
from social.models import User

RECENT_ROWS = 20


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages to look at; no add, change or delete (nor the bulk-delete action)."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "balance", "created_at"]
    search_fields = ["user__username", "user__email", "user__display_name"]
    list_select_related = ["user"]
    ordering = ["-balance", "user_id"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "reason", "amount", "balance_after", "meeting", "bet", "note"]
    list_filter = ["reason", "created_at"]
    search_fields = ["account__user__username", "account__user__email", "note"]
    list_select_related = ["account__user", "meeting__book", "bet__bettor", "bet__horse"]
    date_hierarchy = "created_at"

    def get_urls(self):
        adjust = path("adjust/", self.admin_site.admin_view(self.adjust_view), name="bets_ledgerentry_adjust")
        return [adjust, *super().get_urls()]

    def may_adjust(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("bets.add_ledgerentry")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_adjust": self.may_adjust(request)}
        return super().changelist_view(request, extra_context)

    def adjust_view(self, request):
        if not self.may_adjust(request):
            raise PermissionDenied
        form = AdjustPointsForm(request.POST or None, initial={"user": request.GET.get("user", "")[:150]})
        if request.method == "POST" and form.is_valid():
            user = form.cleaned_data["user"]
            try:
                entry = points_adjust(
                    actor=request.user,
                    user=user,
                    amount=form.cleaned_data["amount"],
                    note=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    f"{entry.amount:+} points for {user}: the balance is now {entry.balance_after}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:bets_ledgerentry_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Adjust points",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/bets/adjust_points.html", context, status=422 if form.errors else 200
        )


class AdjustPointsForm(forms.Form):
    user = forms.CharField(label="Member's username", max_length=150)
    amount = StrictIntegerField(
        label="Points",
        min_value=-MAX_STAKE,
        max_value=MAX_STAKE,
        help_text="Positive to grant, negative to take. A balance can never go below 0.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. The member sees it in their ledger.",
    )

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(f"There is no member called “{username}”.")
        return user

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("Grant or take at least one point.")
        return amount

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why: the reason is shown in the member's ledger.")
        return reason


@admin.register(Bet)
class BetAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "bettor", "horse", "amount", "status", "paid", "payout", "placed_at"]
    list_filter = ["status", "paid", "meeting__club"]
    search_fields = ["bettor__username", "horse__username", "meeting__title", "meeting__book__title"]
    list_select_related = ["meeting__book", "bettor", "horse"]
    date_hierarchy = "placed_at"


def _table(headers: list[str], rows) -> str:
    head = format_html_join("", '<th scope="col">{}</th>', ((header,) for header in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _admin_link(view: str, obj, text) -> str:
    return format_html('<a href="{}">{}</a>', reverse(view, args=[obj.pk]), text)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(SocialUserAdmin):
    """A member's page for moderators: the profile, plus points, clubs and bets (one query each)."""

    readonly_fields = [
        *SocialUserAdmin.readonly_fields,
        "points_balance",
        "clubs_and_roles",
        "recent_ledger",
        "recent_bets",
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # Right under the username: what a moderator comes to this page for.
        return [
            fieldsets[0],
            ("Points and bets", {"fields": ["points_balance", "recent_ledger", "recent_bets"]}),
            ("Clubs", {"fields": ["clubs_and_roles"]}),
            *fieldsets[1:],
        ]

    @admin.display(description="Balance")
    def points_balance(self, user: User) -> str:
        balance = Account.objects.filter(user=user).values_list("balance", flat=True).first()
        adjust = reverse("admin:bets_ledgerentry_adjust") + "?" + urlencode({"user": user.username})
        if balance is None:
            return format_html('No points account yet. <a href="{}">Adjust points</a>', adjust)
        ledger = reverse("admin:bets_ledgerentry_changelist") + "?" + urlencode({"q": user.username})
        return format_html(
            '{} point{} · <a href="{}">whole ledger</a> · <a href="{}">Adjust points</a>',
            balance,
            "" if balance == 1 else "s",
            ledger,
            adjust,
        )

    @admin.display(description="Clubs and roles")
    def clubs_and_roles(self, user: User) -> str:
        memberships = Membership.objects.filter(user=user).select_related("club").order_by("club__name")
        rows = [
            (
                _admin_link("admin:clubs_club_change", m.club, m.club.name),
                m.get_role_display(),
                m.joined_at.date(),
            )
            for m in memberships
        ]
        return _table(["Club", "Role", "Joined"], rows) if rows else "Not in any club."

    @admin.display(description=f"Last {RECENT_ROWS} ledger rows")
    def recent_ledger(self, user: User) -> str:
        entries = (
            LedgerEntry.objects.filter(account__user=user)
            .select_related("meeting__book")
            .order_by("-created_at", "-pk")[:RECENT_ROWS]
        )
        rows = [
            (
                entry.created_at.strftime("%Y-%m-%d %H:%M"),
                entry.get_reason_display(),
                f"{entry.amount:+}",
                entry.balance_after,
                entry.meeting or "",
                entry.note,
            )
            for entry in entries
        ]
        return (
            _table(["When", "Reason", "Points", "Balance", "Meeting", "Note"], rows)
            if rows
            else "No ledger rows."
        )

    @admin.display(description=f"Last {RECENT_ROWS} bets")
    def recent_bets(self, user: User) -> str:
        bets = (
            Bet.objects.filter(bettor=user)
            .select_related("meeting__book", "horse")
            .order_by("-placed_at", "-pk")[:RECENT_ROWS]
        )
        rows = [
            (
                bet.placed_at.strftime("%Y-%m-%d %H:%M"),
                _admin_link("admin:bets_bet_change", bet, bet.meeting),
                bet.horse,
                bet.amount,
                bet.get_status_display(),
                "" if bet.payout is None else bet.payout,
            )
            for bet in bets
        ]
        return _table(["Placed", "Meeting", "On", "Stake", "Status", "Payout"], rows) if rows else "No bets."
