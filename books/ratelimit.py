"""The searches-per-minute limit shared by the search page, the book picker and the API."""

from django_ratelimit.core import is_ratelimited

SEARCH_RATE = "30/m"
SEARCH_GROUP = "books:search"
RATE_LIMITED_MESSAGE = (
    "You have searched more than 30 times in the last minute. Wait a minute, then search again."
)


def search_limited(request) -> bool:
    """Count one search for this user (or IP address when anonymous); True once over the limit."""
    return is_ratelimited(request, group=SEARCH_GROUP, key="user_or_ip", rate=SEARCH_RATE, increment=True)
