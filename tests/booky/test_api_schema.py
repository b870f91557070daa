"""The OpenAPI schema is valid and complete, and its documentation page works offline under our CSP."""

from html.parser import HTMLParser

import pytest
import yaml
from django.core.management import call_command

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
