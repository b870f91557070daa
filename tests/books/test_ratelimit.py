"""Whose allowance a request spends: the user's, or the client's address (behind trusted proxies)."""

import pytest
from django.test import RequestFactory

from books.ratelimit import client_ip

pytestmark = pytest.mark.django_db


def request_from(remote_addr: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/books/", **headers)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("10.0.0.1", "203.0.113.7")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the leftmost is whatever the client wrote
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # fewer entries than proxies: not through the chain
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),  # one IPv6 subscriber's /64
    ],
)
def test_behind_n_trusted_proxies_the_client_is_the_nth_address_from_the_right(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


def test_behind_a_proxy_each_anonymous_visitor_has_their_own_allowance(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    for number in range(30):
        response = client.get("/books/", {"q": f"q{number}"}, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy)
        assert response.status_code == 200
    assert client.get("/books/", {"q": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code == 429
    # Spoofing a leftmost address does not buy a fresh allowance; a different client has one.
    spoofed = client.get("/books/", {"q": "x"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1", **proxy)
    assert spoofed.status_code == 429
    assert client.get("/books/", {"q": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy).status_code == 200


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(30):
        client.get(
            "/books/", {"q": f"q{number}"}, REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR=f"1.1.1.{number}"
        )
    response = client.get("/books/", {"q": "x"}, REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="9.9.9.9")
    assert response.status_code == 429
