import json
import socket

from django.db import OperationalError

from tests.booky.test_settings import PRODUCTION_ENV


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django raises if the view touches the database.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_ready(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError("connection refused")


def test_readyz_answers_503_when_the_database_cursor_fails(client, monkeypatch):
    monkeypatch.setattr("booky.core.health.connection", UnreachableDatabase())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "OperationalError"}


def test_readyz_answers_503_with_json_when_postgres_is_unreachable(run_django):
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "response = Client().get('/readyz'); "
        "print(json.dumps({'status': response.status_code, 'type': response['Content-Type'], "
        "'body': response.json()}))"
    )
    env = {"DEBUG": "1", "DATABASE_URL": f"postgres://booky@127.0.0.1:{closed_port()}/booky"}
    result = run_django(code, env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["type"] == "application/json"
    assert answer["body"]["status"] == "unavailable"


def test_health_probes_answer_over_plain_http_in_production(run_django):
    # Load balancers and docker's health check call http://, while every page redirects to https.
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "print(c.get('/healthz', HTTP_HOST='booky.example.com').status_code, "
        "c.get('/', HTTP_HOST='booky.example.com').status_code)"
    )
    result = run_django(code, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]


def test_home_page_greets_visitors(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Your book club, with a finish line." in response.text


def test_a_nul_byte_in_the_address_is_a_plain_not_found(client, db):
    assert client.get("/clubs/bad%00slug/").status_code == 404
    api = client.get("/api/v1/clubs/bad%00slug/")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


def test_uploaded_avatars_are_served_and_nothing_else_under_media(client, settings, db):
    from pathlib import Path

    avatar_dir = Path(settings.MEDIA_ROOT) / "avatars" / "test-serving"
    avatar_dir.mkdir(parents=True, exist_ok=True)
    avatar = avatar_dir / "face.webp"
    avatar.write_bytes(b"RIFF0000WEBP")
    secret = Path(settings.MEDIA_ROOT) / "not-an-avatar.txt"
    secret.write_text("private")
    try:
        assert client.get("/media/avatars/test-serving/face.webp").status_code == 200
        assert client.get("/media/not-an-avatar.txt").status_code == 404
        escape = client.get("/media/avatars/../not-an-avatar.txt")
        assert escape.status_code in (400, 404) and b"private" not in escape.content
    finally:
        avatar.unlink()
        avatar_dir.rmdir()
        secret.unlink()
