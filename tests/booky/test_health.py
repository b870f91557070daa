def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django raises if the view touches the database.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_ready(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_home_page_greets_visitors(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Your book club, with a finish line." in response.text
