"""The searches-per-minute limit shared by the search page, the book picker, the API and opening a
Google Books result."""

import ipaddress

from django.conf import settings
from django_ratelimit.core import is_ratelimited

SEARCH_RATE = "30/m"
SEARCH_GROUP = "books:search"
RATE_LIMITED_MESSAGE = (
    "You have searched more than 30 times in the last minute. Wait a minute, then search again."
)
IPV6_PREFIX = 64  # one IPv6 subscriber usually holds a whole /64


def client_ip(request) -> str:
    """The visitor's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = N > 0 the N-th address from the
    right of X-Forwarded-For (each trusted proxy appends the address it saw; anything further left was
    written by the client and cannot be trusted). Falls back to REMOTE_ADDR when the header is short
    or unreadable. IPv6 addresses are reduced to their /64 network."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        try:
            ip = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return str(ip)


def user_or_client_ip(group: str, request) -> str:
    """The rate-limit key: the user's id when logged in, else the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def search_limited(request) -> bool:
    """Count one search for this user (or client address when anonymous); True once over the limit."""
    return is_ratelimited(
        request, group=SEARCH_GROUP, key=user_or_client_ip, rate=SEARCH_RATE, increment=True
    )
