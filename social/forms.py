import difflib
from functools import cache

from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from django import forms
from django.urls import reverse_lazy

from booky.core.validators import validate_visible_name
from social.avatars import MAX_BYTES
from social.models import ProfileVisibility, User
from social.services import valid_timezones


def _zone_key(text: str) -> str:
    """How a typed zone is compared: case, spaces for underscores and extra spaces do not matter."""
    return "_".join(text.replace("_", " ").lower().split())


@cache
def _zones_by_key() -> dict[str, str]:
    return {_zone_key(name): name for name in sorted(valid_timezones())}


@cache
def _zones_by_city() -> dict[str, list[str]]:
    """ "lisbon" -> ["Europe/Lisbon"]: the last part of each name, which is what people type."""
    cities: dict[str, list[str]] = {}
    for key, name in _zones_by_key().items():
        cities.setdefault(key.rsplit("/", 1)[-1], []).append(name)
    return cities


def zone_named(text: str) -> str | None:
    """The zone a member typed: its full name in any case ("europe/lisbon", "America/New York") or a
    city that names a single zone ("Lisbon"). None when it names no zone, or more than one."""
    key = _zone_key(text)
    if key in _zones_by_key():
        return _zones_by_key()[key]
    matches = _zones_by_city().get(key, [])
    return matches[0] if len(matches) == 1 else None


def zones_matching(text: str, limit: int = 8) -> list[str]:
    """Zones whose name contains what was typed, cities starting with it first; failing that, the
    closest spellings ("Lisbn" -> Europe/Lisbon)."""
    key = _zone_key(text)
    if len(key) < 2:
        return []
    by_key = _zones_by_key()
    found = [name for k, name in by_key.items() if key in k]
    if found:
        found.sort(key=lambda name: (not _zone_key(name).rsplit("/", 1)[-1].startswith(key), name))
        return found[:limit]
    close_cities = difflib.get_close_matches(key, _zones_by_city(), n=limit, cutoff=0.7)
    close_names = difflib.get_close_matches(key, by_key, n=limit, cutoff=0.7)
    names = [name for city in close_cities for name in _zones_by_city()[city]]
    names += [by_key[k] for k in close_names]
    return list(dict.fromkeys(names))[:limit]


class TimezoneInput(forms.TextInput):
    """A text box for the zone, not a <select> of all ~550 zones in every page that has the field.
    With htmx, typing shows matching zones under it (social:timezones, a small fragment); without
    JavaScript the member types the name, and a wrong one is refused with the closest matches."""

    template_name = "social/widgets/timezone_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id", name)
        context["widget"]["attrs"]["data-hx-target"] = f"#{field_id}_suggestions"
        context["suggestions_id"] = f"{field_id}_suggestions"
        return context


class TimezoneField(forms.CharField):
    widget = TimezoneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", User._meta.get_field("timezone").max_length)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)  # a longer paste is refused with the matches, not cut short
        return {
            **attrs,
            # booky.js puts the browser's zone here when it is empty or UTC.
            "data-browser-timezone": True,
            "autocomplete": "off",
            "autocapitalize": "none",
            "spellcheck": "false",
            "data-hx-get": reverse_lazy("social:timezones"),
            "data-hx-trigger": "input changed delay:300ms",
            "data-hx-swap": "innerHTML",
            "data-hx-sync": "this:replace",
        }

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        zone = zone_named(value)
        if zone is None:
            matches = zones_matching(value, limit=5)
            hint = (
                f"Did you mean {', '.join(matches[:-1])} or {matches[-1]}?"
                if len(matches) > 1
                else f"Did you mean {matches[0]}?"
                if matches
                else "Type a city or a Region/City name, e.g. Lisbon or Europe/Lisbon."
            )
            raise forms.ValidationError(
                "“%(value)s” is not a time zone we know. %(hint)s",
                code="invalid_timezone",
                params={"value": value, "hint": hint},
            )
        return zone


def _timezone_field(*, help_text: str, **kwargs) -> TimezoneField:
    return TimezoneField(
        label="Time zone",
        initial="UTC",
        # Without JavaScript UTC stays (the member may type another).
        help_text=help_text + " Type a city or its zone name, e.g. Lisbon or Europe/Lisbon.",
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
