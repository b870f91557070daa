"""The database goes away: every request that needs it answers 503 with Retry-After (the site's layout
for people, `{"detail", "code": "service_unavailable"}` for API clients), never 500; `/readyz` says 503
so a load balancer stops sending traffic; once the database is back, the same requests succeed.

On PostgreSQL the connection is pointed at a closed port (what a stopped server looks like to
Django); on SQLite in a file at a directory that does not exist. The in-memory SQLite test database
would vanish if closed, so there every new cursor fails with the error a lost connection raises.
"""

import json
import socket
from contextlib import contextmanager

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client, RequestFactory

from booky.core import error_pages
from tests.factories import PASSWORD, ClubFactory, UserFactory

# Closing the connection would lose a test transaction: these tests commit, and serialized_rollback
# restores the catalog that the flush afterwards removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADLESS = "/_allauth/app/v1"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@contextmanager
def database_unreachable(tmp_path):
    settings_dict = connection.settings_dict
    saved = {key: settings_dict.get(key) for key in ("HOST", "PORT", "NAME")}
    if _in_memory():

        def refuse(*args, **kwargs):
            raise OperationalError("connection to the database was lost")

        connection.create_cursor = refuse
    else:
        connection.close()
        if connection.vendor == "postgresql":
            settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", closed_port()
        else:
            settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    try:
        yield
    finally:
        if _in_memory():
            del connection.create_cursor
        else:
            connection.close()
            settings_dict.update(saved)


def assert_unavailable_page(response):
    assert response.status_code == 503, (response.status_code, response.content[:300])
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert "Booky is briefly unavailable" in response.text
    assert 'class="site-nav"' in response.text  # the site's layout, not a bare error
    assert "no-store" in response["Cache-Control"]


def assert_unavailable_json(response):
    assert response.status_code == 503, (response.status_code, response.content[:300])
    assert response["Retry-After"] == "30"
    assert json.loads(response.content) == {
        "detail": "Booky cannot reach its database right now. Please try again in a minute.",
        "code": "service_unavailable",
    }


@pytest.fixture
def outage_cast():
    club = ClubFactory()
    member = UserFactory()
    logged_in = Client()
    logged_in.force_login(member)
    return club, member, logged_in


def requests_that_need_the_database(club, member, logged_in):
    """(label, send, what the answer is) for pages, fragments, forms, the API and allauth's headless API."""
    anonymous = Client()
    return [
        ("home page, anonymous", lambda: anonymous.get("/"), "html"),
        ("dashboard, logged in", lambda: logged_in.get("/"), "html"),
        ("club page", lambda: logged_in.get(f"/clubs/{club.slug}/"), "html"),
        ("htmx fragment", lambda: logged_in.get("/clubs/", headers={"HX-Request": "true"}), "html"),
        ("page asked for as JSON", lambda: anonymous.get("/clubs/", headers={"Accept": "application/json"}), "json"),
        ("login form", lambda: anonymous.post("/accounts/login/", {"login": member.username, "password": PASSWORD}), "html"),
        ("API list", lambda: anonymous.get("/api/v1/clubs/"), "json"),
        ("API, session user", lambda: logged_in.get("/api/v1/me/"), "json"),
        ("API write", lambda: logged_in.post("/api/v1/clubs/", {"name": "Outage club"}, content_type="application/json"), "json"),
        ("headless login", lambda: anonymous.post(f"{HEADLESS}/auth/login", {"username": member.username, "password": PASSWORD}, content_type="application/json"), "json"),
    ]  # fmt: skip


def test_every_request_that_needs_the_database_answers_503_then_succeeds_once_it_is_back(
    outage_cast, tmp_path
):
    club, member, logged_in = outage_cast
    requests = requests_that_need_the_database(club, member, logged_in)

    with database_unreachable(tmp_path):
        for label, send, kind in requests:
            response = send()
            assert response.status_code == 503, label
            (assert_unavailable_json if kind == "json" else assert_unavailable_page)(response)
        ready = Client().get("/readyz")
        assert ready.status_code == 503
        assert ready["Retry-After"] == "30"
        assert ready.json()["status"] == "unavailable"
        # Liveness does not depend on the database: the process is fine, restarting it would not help.
        assert Client().get("/healthz").status_code == 200

    answers = {label: send().status_code for label, send, _kind in requests}
    assert all(status < 500 for status in answers.values()), answers
    assert answers["home page, anonymous"] == answers["dashboard, logged in"] == answers["API list"] == 200
    assert answers["API write"] == 201
    assert Client().get("/readyz").status_code == 200


def test_a_database_failure_outside_the_view_answers_503_too():
    # Saving the session happens in a middleware after the view: only the 500 handler sees it.
    request = RequestFactory().get("/clubs/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = error_pages.server_error(request)
    assert_unavailable_page(response)

    api_request = RequestFactory().post("/api/v1/clubs/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = error_pages.server_error(api_request)
    assert_unavailable_json(response)


def test_a_real_bug_in_a_query_is_still_a_server_error():
    request = RequestFactory().get("/clubs/")
    try:
        raise ProgrammingError("column does not exist")
    except ProgrammingError:
        response = error_pages.server_error(request)
    assert response.status_code == 500
