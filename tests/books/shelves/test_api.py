"""The shelves, imports and "check these" over the API, as a client uses them."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from books.models import ImportCheck, Shelf, ShelfEntry
from books.shelves import services
from social.models import ProfileVisibility
from tests.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_member_keeps_shelves_over_the_api():
    reader, book = UserFactory(), BookFactory(title="Orlando")
    client = api(reader)
    created = client.post("/api/v1/me/shelves/", {"book": book.pk, "shelf": "reading"}, format="json")
    assert (
        created.status_code == 201 and created.json()["shelf"] == "reading" and created.json()["started_on"]
    )
    entry_id = created.json()["id"]
    listed = client.get("/api/v1/me/shelves/?shelf=reading").json()
    assert [row["title"] for row in listed["results"]] == ["Orlando"]
    bad = client.patch(f"/api/v1/me/shelves/{entry_id}/", {"shelf": "reading", "rating": 5}, format="json")
    assert bad.status_code == 400 and "Read" in bad.json()["detail"]
    done = client.patch(
        f"/api/v1/me/shelves/{entry_id}/",
        {"shelf": "read", "finished_on": "2026-11-30", "rating": 5},
        format="json",
    )
    assert done.status_code == 200 and done.json()["rating"] == 5
    assert client.get("/api/v1/me/shelves/?shelf=nonsense").status_code == 400
    assert (
        client.post("/api/v1/me/shelves/", {"book": 99999999, "shelf": "read"}, format="json").status_code
        == 404
    )
    assert api(UserFactory()).delete(f"/api/v1/me/shelves/{entry_id}/").status_code == 404
    assert client.delete(f"/api/v1/me/shelves/{entry_id}/").status_code == 204
    assert not ShelfEntry.objects.exists()
    assert api().get("/api/v1/me/shelves/").status_code == 401


def test_someone_elses_shelves_follow_their_profile():
    owner = UserFactory(profile_visibility=ProfileVisibility.PRIVATE)
    services.shelf_put(user=owner, book=BookFactory(), shelf=Shelf.READ)
    assert api().get(f"/api/v1/users/{owner.username}/shelves/").status_code == 404
    assert api(owner).get(f"/api/v1/users/{owner.username}/shelves/").json()["count"] == 1
    assert api().get("/api/v1/users/nobody-here/shelves/").status_code == 404


def test_an_import_over_the_api(django_capture_on_commit_callbacks):
    reader = UserFactory()
    client = api(reader)
    content = (FIXTURES / "storygraph_export.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/me/shelf-imports/",
            {"file": SimpleUploadedFile("sg.csv", content, "text/csv")},
            format="multipart",
        )
    assert response.status_code == 202
    status = client.get(f"/api/v1/me/shelf-imports/{response.json()['id']}/").json()
    assert status["status"] == "done" and status["percent"] == 100
    assert any("did-not-finish" in row["reason"] for row in status["skipped"])
    checks = client.get("/api/v1/me/import-checks/").json()["results"]
    assert checks and len(checks) == ImportCheck.objects.filter(user=reader).count()
    decided = client.post(
        f"/api/v1/me/import-checks/{checks[0]['id']}/decide/", {"action": "dismiss"}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "dismissed"
    again = client.post(
        f"/api/v1/me/import-checks/{checks[0]['id']}/decide/", {"action": "dismiss"}, format="json"
    )
    assert again.status_code == 400
    missing_book = client.post(
        f"/api/v1/me/import-checks/{checks[1]['id']}/decide/", {"action": "book"}, format="json"
    )
    assert missing_book.status_code == 400 and "book" in missing_book.json()["errors"]


@pytest.mark.parametrize(
    ("content", "word"), [(b"not,an,export\n1,2,3\n", "does not look like"), (b"", "empty")]
)
def test_a_refused_upload_answers_400_and_imports_nothing(content, word):
    client = api(UserFactory())
    response = client.post(
        "/api/v1/me/shelf-imports/",
        {"file": SimpleUploadedFile("x.csv", content, "text/csv")},
        format="multipart",
    )
    assert response.status_code == 400 and word in str(response.json())
    assert client.get("/api/v1/me/shelf-imports/").json()["count"] == 0
