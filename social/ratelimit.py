"""How many friend requests a member may send: 20 an hour, on the page and in the API alike."""

from django_ratelimit.core import is_ratelimited

from booky.core.errors import DomainError

FRIEND_REQUEST_RATE = "20/h"
FRIEND_REQUEST_GROUP = "social:friend-request"
RATE_LIMITED_MESSAGE = "You have sent 20 friend requests in the last hour. Wait a while, then try again."

DELETE_ACCOUNT_RATE = "10/h"
DELETE_ACCOUNT_GROUP = "social:delete-account"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"


def check_friend_request_rate(request) -> None:
    """Count one attempt to send a request; RateLimited once over the limit."""
    if is_ratelimited(
        request, group=FRIEND_REQUEST_GROUP, key="user_or_ip", rate=FRIEND_REQUEST_RATE, increment=True
    ):
        raise RateLimited(RATE_LIMITED_MESSAGE)


def check_delete_account_rate(request) -> None:
    """Password attempts on the delete-account form are counted, so it cannot test passwords."""
    if is_ratelimited(
        request, group=DELETE_ACCOUNT_GROUP, key="user_or_ip", rate=DELETE_ACCOUNT_RATE, increment=True
    ):
        raise RateLimited("Too many attempts. Wait an hour, then try again.")
