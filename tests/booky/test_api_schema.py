"""The OpenAPI schema is valid and complete, and its documentation page works offline under our CSP."""

from html.parser import HTMLParser

import pytest
import yaml
from django.core.management import call_command

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CLUB_PATHS = {
    "/api/v1/clubs/": {"get", "post"},
    "/api/v1/clubs/{slug}/": {"get", "patch", "delete"},
    "/api/v1/clubs/{slug}/join/": {"post"},
    "/api/v1/clubs/{slug}/join-request/": {"delete"},
    "/api/v1/clubs/{slug}/leave/": {"post"},
    "/api/v1/clubs/{slug}/rotate-invite/": {"post"},
    "/api/v1/clubs/{slug}/transfer/": {"post"},
    "/api/v1/clubs/{club_slug}/members/": {"get"},
    "/api/v1/clubs/{club_slug}/members/{username}/": {"get", "patch", "delete"},
    "/api/v1/clubs/{club_slug}/join-requests/": {"get"},
    "/api/v1/clubs/{club_slug}/join-requests/{id}/approve/": {"post"},
    "/api/v1/clubs/{club_slug}/join-requests/{id}/decline/": {"post"},
}


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yml"
    # --fail-on-warn raises on any warning, e.g. an untyped path parameter or an enum named twice.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    for path, methods in CLUB_PATHS.items():
        assert set(schema["paths"][path]) >= methods, path


def test_the_schema_documents_status_codes_and_fields(client):
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    schema = response.json()
    join = schema["paths"]["/api/v1/clubs/{slug}/join/"]["post"]["responses"]
    assert {"201", "202", "409"} <= set(join)
    club = schema["components"]["schemas"]["ClubDetail"]["properties"]
    assert {"slug", "name", "member_count", "my_role", "invite_code", "invite_url"} <= set(club)
    listed = schema["components"]["schemas"]["Club"]["properties"]
    assert "invite_code" not in listed
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[str | None] = []
        self.links: list[str] = []
        self.inline_styles = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes or tag == "style":
            self.inline_styles += 1
        if tag == "script":
            self.scripts.append(attributes.get("src"))
        if tag == "link":
            self.links.append(attributes["href"])


def test_the_api_docs_use_only_local_assets_and_pass_the_csp(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'"

    assets = _Assets()
    assets.feed(response.text)
    assert assets.inline_styles == 0  # style-src 'self' would block them
    assert None not in assets.scripts  # no inline <script>: script-src 'self' would block it
    assert len(assets.scripts) == 3
    assert assets.links
    for url in [*assets.scripts, *assets.links]:
        assert url.startswith(("/static/", "/api/docs/?script")), url
        served = client.get(url)
        assert served.status_code == 200, url
        if url.endswith(".js") or "?script" in url:
            assert "javascript" in served["Content-Type"], url


def test_the_docs_init_script_loads_our_schema_from_this_site(client):
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    text = script.content.decode()
    assert "SwaggerUIBundle" in text
    assert '"/api/schema/"' in text
    assert "http://" not in text and "https://" not in text


def _schema(client) -> dict:
    return client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()


def test_the_docs_explain_how_to_get_use_and_refresh_a_token(client):
    schema = _schema(client)
    intro = schema["info"]["description"]

    assert "curl -s -X POST http://127.0.0.1:8000/_allauth/app/v1/auth/login" in intro
    assert "curl -s -X POST http://127.0.0.1:8000/_allauth/app/v1/tokens/refresh" in intro
    assert 'Authorization: Bearer $ACCESS_TOKEN"' in intro
    assert "An access token lasts **5 minutes**" in intro  # JWT_ACCESS_TOKEN_EXPIRES_IN=300
    assert "**24 hours**" in intro and "rotated" in intro
    assert "{access_minutes}" not in intro
    bearer = schema["components"]["securitySchemes"]["bearerAuth"]
    assert bearer["type"] == "http" and bearer["scheme"] == "bearer" and bearer["bearerFormat"] == "JWT"
    assert "tokens/refresh" in bearer["description"]
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert {"bearerAuth": []} in me["security"]


def test_the_documented_token_flow_works_as_written(api_client):
    """Log in, call the API, refresh, and find the sent refresh token spent: what the intro says."""
    user = UserFactory()
    login = api_client.post(
        "/_allauth/app/v1/auth/login", {"username": user.username, "password": PASSWORD}, format="json"
    )
    tokens = login.json()["meta"]
    refreshed = api_client.post(
        "/_allauth/app/v1/tokens/refresh", {"refresh_token": tokens["refresh_token"]}, format="json"
    )
    again = api_client.post(
        "/_allauth/app/v1/tokens/refresh", {"refresh_token": tokens["refresh_token"]}, format="json"
    )

    assert refreshed.status_code == 200 and set(refreshed.json()["data"]) == {"access_token", "refresh_token"}
    assert again.json() == {"status": 400}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['data']['access_token']}")
    assert api_client.get("/api/v1/me/").json()["username"] == user.username
    logout = api_client.delete("/_allauth/app/v1/auth/session")
    assert logout.json()["meta"]["is_authenticated"] is False
    assert api_client.get("/api/v1/me/").status_code == 401


def test_keys_sent_only_sometimes_are_optional_and_blank_urls_may_be_empty(client):
    components = _schema(client)["components"]["schemas"]
    for name in ("Member", "Attendee", "MemberRef"):
        assert "hidden" in components[name]["properties"], name
        assert "hidden" not in components[name]["required"], name
        assert "display_name" in components[name]["required"], name  # other read-only keys stay required
    cover = components["Book"]["properties"]["cover_url"]
    assert "format" not in cover and {"type": "string", "maxLength": 0} in cover["oneOf"]
    # A meeting's link is "" when there is none and null to non-members: a nullable plain string.
    link = components["Meeting"]["properties"]["online_link"]
    assert "format" not in link and link["nullable"] is True
    assert components["Me"]["properties"]["avatar_url"]["nullable"] is True
    assert components["MeetingBets"]["properties"]["my_bet"]["nullable"] is True
