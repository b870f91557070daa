"""HTML forms for clubs. They validate input only; the services in clubs/services.py do the writes."""

from django import forms

from booky.core.validators import validate_visible_name
from clubs import invitations
from clubs.models import (
    NAME_MAX_LENGTH,
    PRIVATE_BY_APPROVAL_MESSAGE,
    REMINDER_LEADS,
    Club,
    JoinPolicy,
    Visibility,
)
from social.models import ProfileVisibility, User


class ClubForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text=f"Up to {NAME_MAX_LENGTH} characters. The club's web address is made from it.",
        validators=[validate_visible_name],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=4000,
        required=False,
        help_text="What you read, how often you meet, who is welcome.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    city = forms.CharField(max_length=80, required=False, validators=[validate_visible_name])
    country = forms.CharField(max_length=80, required=False, validators=[validate_visible_name])
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
        help_text="Private clubs are hidden from the directory and take new members by invite link only.",
    )
    join_policy = forms.ChoiceField(
        label="Who can join",
        choices=JoinPolicy.choices,
        initial=JoinPolicy.OPEN,
        widget=forms.RadioSelect,
        help_text="Anyone with the invite link can always join, whatever you choose here.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("visibility") == Visibility.PRIVATE
            and cleaned.get("join_policy") == JoinPolicy.APPROVAL
        ):
            self.add_error("join_policy", PRIVATE_BY_APPROVAL_MESSAGE)
        return cleaned

    @classmethod
    def for_club(cls, club: Club, data=None) -> "ClubForm":
        initial = {field: getattr(club, field) for field in cls.base_fields}
        return cls(data=data, initial=initial)


class ClubDeleteForm(forms.Form):
    """The owner types the club's name, so a club is never deleted by a stray click."""

    confirm_name = forms.CharField(label="Type the club's name to confirm", max_length=200)

    def __init__(self, *args, club: Club, **kwargs):
        super().__init__(*args, **kwargs)
        self.club = club

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if typed.strip() != self.club.name:
            raise forms.ValidationError(
                f"That does not match. Type “{self.club.name}” exactly to delete the club.", code="mismatch"
            )
        return typed


class InviteFriendForm(forms.Form):
    invitee = forms.ModelChoiceField(
        label="Invite a friend",
        queryset=User.objects.none(),
        to_field_name="username",
        empty_label="Choose a friend…",
        error_messages={
            "required": "Choose the friend to invite.",
            "invalid_choice": "Choose one of your friends who is not in this club or invited yet.",
        },
    )

    def __init__(self, *args, inviter, club, **kwargs):
        super().__init__(*args, **kwargs)
        friends = invitations.invitable_friends(inviter=inviter, club=club)
        self.fields["invitee"].queryset = friends
        # Friends see each other's profiles unless it is "only me" (social.permissions): as the page shows.
        self.fields["invitee"].label_from_instance = lambda user: (
            f"{user.display_name} (@{user.username})"
            if user.display_name and user.profile_visibility != ProfileVisibility.PRIVATE
            else f"@{user.username}"
        )


class JoinRequestForm(forms.Form):
    """ "Request to join": an optional note to the moderators (the club's description may ask a question)."""

    message = forms.CharField(
        label="A note for the moderators (optional)",
        required=False,
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={
            "max_length": "Keep your note to %(limit_value)d characters (it has %(show_value)d)."
        },
    )


class RemindersForm(forms.Form):
    """Which reminders of a meeting a member gets: for the club's defaults and for each member's own."""

    leads = forms.MultipleChoiceField(
        label="Remind me",
        choices=list(REMINDER_LEADS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from: a week, a day or an hour before."},
    )
