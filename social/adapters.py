"""allauth hooks: case-insensitive uniqueness that also covers accounts made outside allauth (without
defeating allauth's enumeration protection), and the time zone chosen at sign-up."""

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.userkit import filter_users_by_email
from django import forms

from social.models import User

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


def hides_taken_emails() -> bool:
    """Whether a sign-up must not say that an address is taken: with mandatory verification allauth
    answers "check your inbox" either way and mails the owner instead (its enumeration protection)."""
    return bool(account_settings.PREVENT_ENUMERATION) and (
        account_settings.EMAIL_VERIFICATION == account_settings.EmailVerificationMethod.MANDATORY
    )


def _allauth_sees_owner(email: str) -> bool:
    """allauth's own (exact) lookup finds the account, so it takes the "already exists" path and creates
    nothing; otherwise refusing is the only way to keep a second account off the address."""
    return bool(filter_users_by_email(email))


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username: str, shallow: bool = False) -> str:
        username = super().clean_username(username, shallow=shallow)
        # allauth compares lowercased names exactly; accounts made by createsuperuser or the admin
        # may keep capitals, so ask the database case-insensitively too (its constraint agrees).
        if not shallow and User.objects.filter(username__iexact=username).exists():
            raise self.validation_error("username_taken")
        return username

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        # Django's EmailField accepts 320 characters; our column (and allauth's) holds 254.
        if len(email) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Email addresses can be at most {EMAIL_MAX_LENGTH} characters.", code="max_length"
            )
        return email

    def validate_unique_email(self, email: str) -> str:
        email = super().validate_unique_email(email)
        others = User.objects.filter(email__iexact=email)
        request_user = getattr(getattr(self, "request", None), "user", None)
        if request_user is not None and request_user.is_authenticated:
            others = others.exclude(pk=request_user.pk)
        if others.exists() and not (hides_taken_emails() and _allauth_sees_owner(email)):
            raise self.validation_error("email_taken")
        return email

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed logins per account *and host name* (the sites framework is not
        # installed, so the Host header, port included): behind a proxy that forwards each node's own
        # address, or under a second allowed name, every host would get its own five attempts. One
        # count per account, on every node. (Private in allauth: tests/social/test_login_logout.py
        # fails if it stops being called.)
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"login:{login}"

    def is_safe_url(self, url):
        # A malformed ?next= (e.g. "http://[::1") makes urlparse raise; treat it as unsafe, not as a 500.
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def save_user(self, request, user, form, commit=True):
        timezone = form.cleaned_data.get("timezone") if hasattr(form, "cleaned_data") else None
        if timezone:
            user.timezone = timezone
        # No points here: the welcome bonus waits for a verified address (bets/receivers.py).
        return super().save_user(request, user, form, commit=commit)
