from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from django import forms

from booky.core.validators import validate_visible_name
from social.avatars import MAX_BYTES
from social.models import ProfileVisibility, User, timezone_choices


def _timezone_field(*, help_text: str, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        initial="UTC",
        # booky.js puts the browser's zone here; without JavaScript UTC stays selected.
        widget=forms.Select(attrs={"data-browser-timezone": True, "autocomplete": "off"}),
        help_text=help_text,
        **kwargs,
    )


class SignupForm(AllauthSignupForm):
    # Not required so that API sign-ups (which share allauth's base form) keep working; UTC then.
    timezone = _timezone_field(
        required=False, help_text="Meeting times are shown in this zone. We filled it in from your browser."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = "Letters, digits and @ . + - _ only. Other members see it."
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields[
            "password1"
        ].help_text = (
            "At least 8 characters. Not a common password, not only digits, not close to your username."
        )
        self.fields["password2"].label = "Confirm password"
        for name in ("username", "email", "password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["remember"].label = "Keep me logged in on this device"


class AddEmailForm(AllauthAddEmailForm):
    def clean_email(self) -> str:
        email = super().clean_email()
        # Signing up already says when an address is taken, so adding one may say it too. Letting it
        # through would let two accounts hold one address, and making it primary would then break
        # the unique email constraint on users.
        taken_by_user = User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists()
        taken_by_address = EmailAddress.objects.filter(email__iexact=email).exclude(user=self.user).exists()
        if taken_by_user or taken_by_address:
            raise get_adapter().validation_error("email_taken")
        return email


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text="The name other members see. Leave it empty to show your username.",
        validators=[validate_visible_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    bio = forms.CharField(
        label="Bio",
        max_length=User._meta.get_field("bio").max_length,
        required=False,
        help_text="A few words about you and what you like to read.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    timezone = _timezone_field(help_text="Meeting times and deadlines are shown in this zone.")
    profile_visibility = forms.ChoiceField(
        label="Who can see your profile",
        choices=ProfileVisibility.choices,
        # Left out (an older form, an API-like post): the current choice stays.
        required=False,
        widget=forms.RadioSelect,
        help_text="Your profile shows your picture, bio, clubs, points and the books you read. "
        "Friends-only and only-me profiles look like they do not exist to everyone else.",
    )


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label="New picture",
        help_text=f"PNG, JPEG, GIF or WebP, at most {MAX_BYTES // 1024 // 1024} MB. "
        "We crop it to a square and resize it to 256 × 256 pixels.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        error_messages={"required": "Choose a picture to upload.", "empty": "This file is empty."},
    )


class SendFriendRequestForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=User._meta.get_field("username").max_length,
        help_text="Their exact username, as shown after the @ on their profile.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lstrip("@")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Type your password to confirm that it is you.",
    )
    confirm = forms.BooleanField(
        label="I understand that this cannot be undone.",
        error_messages={"required": "Tick the box to confirm that you want to delete your account."},
    )
