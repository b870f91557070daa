"""The welcome bonus follows allauth's account events: it is minted when the member's email address
is verified, or at sign-up when the site verifies no addresses (ACCOUNT_EMAIL_VERIFICATION=none).

A throwaway account that never proves an address gets no points, so it cannot feed another account
through losing bets. Either event may come more than once (a second address verified, an admin
marking an address verified): the award key makes the bonus exactly once per user.
"""

from allauth.account import app_settings as allauth_settings
from allauth.account.signals import email_confirmed, user_signed_up

from bets.services import points_award_signup


def award_on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    points_award_signup(user=email_address.user)


def award_on_signup_without_verification(sender, request, user, **kwargs) -> None:
    if allauth_settings.EMAIL_VERIFICATION == allauth_settings.EmailVerificationMethod.NONE:
        points_award_signup(user=user)


def connect() -> None:
    email_confirmed.connect(award_on_email_confirmed, dispatch_uid="bets.signup_bonus.email_confirmed")
    user_signed_up.connect(
        award_on_signup_without_verification, dispatch_uid="bets.signup_bonus.user_signed_up"
    )
