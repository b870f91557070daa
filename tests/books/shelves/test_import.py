"""Importing a Goodreads or StoryGraph export onto a member's shelves, as a member does it: upload the
file, watch the progress, check the uncertain rows."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from books.models import Book, CheckStatus, ImportCheck, ImportStatus, Shelf, ShelfEntry, ShelfImport
from books.shelves import importing
from tests.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def _run_tasks_after_commit(django_capture_on_commit_callbacks):
    """The import task is queued after commit; run it as a worker would, once the request ends."""
    global _after_commit
    _after_commit = django_capture_on_commit_callbacks


def upload(client, name: str, content: bytes | None = None):
    content = (FIXTURES / name).read_bytes() if content is None else content
    with _after_commit(execute=True):
        return client.post(reverse("books:import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


@pytest.fixture
def catalog(db):
    """Books the catalog has: Dune and Good Omens by ISBN, Piranesi by ISBN-10 only, and two books
    titled "Emma" (so a title-only row is uncertain)."""
    return {
        "dune": BookFactory(title="Dune", authors=["Frank Herbert"], isbn_13="9780441013593"),
        "omens": BookFactory(
            title="Good Omens", authors=["Terry Pratchett", "Neil Gaiman"], isbn_10="0060853980"
        ),
        "piranesi": BookFactory(title="Piranesi", authors=["Susanna Clarke"], isbn_13="9781635575996"),
    }


def test_goodreads_import_matches_by_isbn_lists_the_rest_and_reports_skips(client, catalog):
    reader = UserFactory()
    client.force_login(reader)
    response = upload(client, "goodreads_export.csv")
    shelf_import = ShelfImport.objects.get(user=reader)
    assert response.status_code == 302 and response["Location"] == reverse(
        "books:import_status", args=[shelf_import.pk]
    )
    assert shelf_import.status == ImportStatus.DONE  # the in-process backend ran the task at once
    dune = ShelfEntry.objects.get(user=reader, book=catalog["dune"])
    assert dune.shelf == Shelf.READ and dune.rating == 5 and str(dune.finished_on) == "2021-03-15"
    assert ShelfEntry.objects.filter(user=reader, book=catalog["omens"]).exists()  # matched by its ISBN-10
    checks = ImportCheck.objects.filter(user=reader)
    assert checks.exists() and shelf_import.check_count == checks.count()
    assert all(check.status == CheckStatus.OPEN for check in checks)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Check these" in page.text and "Skipped rows" in page.text
    for skipped in shelf_import.skipped:
        assert (
            skipped["reason"] in page.text.replace("&quot;", '"').replace("&#x27;", "'") or skipped["reason"]
        )


def test_importing_the_same_file_twice_adds_nothing(client, catalog):
    reader = UserFactory()
    client.force_login(reader)
    upload(client, "goodreads_export.csv")
    entries, checks, books = ShelfEntry.objects.count(), ImportCheck.objects.count(), Book.objects.count()
    upload(client, "goodreads_export.csv")
    second = ShelfImport.objects.filter(user=reader).order_by("-pk").first()
    assert ShelfEntry.objects.count() == entries and ImportCheck.objects.count() == checks
    assert second.added_count == 0 and second.check_count == 0
    assert Book.objects.count() == books


def test_a_row_with_an_isbn_never_falls_back_to_its_title(client, catalog):
    """A book with the same title as the row but another ISBN is only a suggestion, never a match."""
    BookFactory(title="The Name of the Wind", authors=["Patrick Rothfuss"], isbn_13="9780000000002")
    reader = UserFactory()
    client.force_login(reader)
    upload(client, "goodreads_export.csv")
    assert not ShelfEntry.objects.filter(user=reader, book__title="The Name of the Wind").exists()
    check = ImportCheck.objects.get(user=reader, title__startswith="The Name of the Wind")
    assert "ISBN" in check.reason


def test_a_title_only_row_matches_when_exactly_one_book_fits():
    reader = UserFactory()
    book = BookFactory(title="The Lion, the Witch and the Wardrobe", authors=["C. S. Lewis"])
    content = (
        b"Title,Author,ISBN13,Exclusive Shelf\r\nThe Lion the Witch and the Wardrobe,C.S. Lewis,,to-read\r\n"
    )
    with _after_commit(execute=True):
        started = importing.import_start(user=reader, file_name="x.csv", content=content)
    shelf_import = ShelfImport.objects.get(pk=started.pk)
    entry_or_check = (
        ShelfEntry.objects.filter(user=reader, book=book).exists()
        or ImportCheck.objects.filter(user=reader).exists()
    )
    assert shelf_import.status == ImportStatus.DONE and entry_or_check


def test_two_books_with_the_row_title_go_to_check_these_and_the_member_picks_one(client):
    reader = UserFactory()
    first = BookFactory(title="Quiet Harbours", authors=["Ines Lowe"])
    second = BookFactory(title="Quiet Harbours", authors=["Ines Lowe"], subtitle="Annotated")
    client.force_login(reader)
    upload(client, "x.csv", b"Title,Author,ISBN13,Exclusive Shelf\nQuiet Harbours,Ines Lowe,,read\n")
    check = ImportCheck.objects.get(user=reader)
    assert "2 books" in check.reason and set(check.candidates.all()) == {first, second}
    response = client.post(
        reverse("books:import_check", args=[check.pk]),
        {"action": "book", "book": second.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Added as" in response.text
    assert ShelfEntry.objects.get(user=reader).book == second
    again = client.post(
        reverse("books:import_check", args=[check.pk]), {"action": "dismiss"}, headers={"HX-Request": "true"}
    )
    assert again.status_code == 422 and "already checked" in again.text


def test_the_member_creates_an_unknown_book_from_its_row(client):
    reader = UserFactory()
    client.force_login(reader)
    upload(
        client,
        "x.csv",
        b'Title,Author,ISBN13,Exclusive Shelf\nA Rare Pamphlet,Ann Onymous,="9780306406157",to-read\n',
    )
    check = ImportCheck.objects.get(user=reader)
    response = client.post(reverse("books:import_check", args=[check.pk]), {"action": "create"})
    assert response.status_code == 302
    book = Book.objects.get(title="A Rare Pamphlet")
    assert book.isbn_13 == "9780306406157" and ShelfEntry.objects.get(user=reader).book == book


def test_another_member_cannot_see_or_decide_my_import(client, catalog):
    reader, other = UserFactory(), UserFactory()
    client.force_login(reader)
    upload(client, "goodreads_export.csv")
    shelf_import = ShelfImport.objects.get(user=reader)
    check = ImportCheck.objects.filter(user=reader).first()
    client.force_login(other)
    assert client.get(reverse("books:import_status", args=[shelf_import.pk])).status_code == 404
    assert (
        client.post(reverse("books:import_check", args=[check.pk]), {"action": "dismiss"}).status_code == 404
    )
    check.refresh_from_db()
    assert check.status == CheckStatus.OPEN


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"hello,world\n1,2\n", "does not look like a Goodreads or StoryGraph export"),
        (b"x" * (5 * 1024 * 1024 + 1), "5 MB"),
    ],
)
def test_a_refused_file_shows_why_and_imports_nothing(client, content, message):
    client.force_login(UserFactory())
    response = upload(client, "bad.csv", content)
    assert response.status_code == 422
    assert message in response.text
    assert not ShelfImport.objects.exists()


def test_storygraph_import_keeps_dates_and_rounds_ratings(client, catalog):
    reader = UserFactory()
    client.force_login(reader)
    upload(client, "storygraph_export.csv")
    piranesi = ShelfEntry.objects.get(user=reader, book=catalog["piranesi"])
    assert piranesi.shelf == Shelf.READ and piranesi.rating == 5
    assert str(piranesi.started_on) == "2023-01-05" and str(piranesi.finished_on) == "2023-01-20"
    shelf_import = ShelfImport.objects.get(user=reader)
    assert any("did-not-finish" in row["reason"] for row in shelf_import.skipped)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("books:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_import_whose_worker_died_is_queued_again_and_finishes_once(catalog):
    from datetime import timedelta

    from django.utils import timezone

    reader = UserFactory()
    content = (FIXTURES / "goodreads_export.csv").read_bytes()
    with _after_commit(execute=False):  # the worker never picks it up...
        started = importing.import_start(user=reader, file_name="goodreads.csv", content=content)
    # ...or rather, it took it and died half way: running, its heartbeat silent.
    silent = timezone.now() - importing.STALLED_AFTER - timedelta(minutes=1)
    ShelfImport.objects.filter(pk=started.pk).update(
        status=ImportStatus.RUNNING, started_at=silent, heartbeat_at=silent, attempts=1, processed_rows=1
    )
    with _after_commit(execute=True):
        assert importing.imports_resume_stalled() == 1
    finished = ShelfImport.objects.get(pk=started.pk)
    assert finished.status == ImportStatus.DONE and finished.attempts == 2
    assert finished.processed_rows == finished.total_rows
    assert ShelfEntry.objects.filter(user=reader, book=catalog["dune"]).count() == 1
    with _after_commit(execute=True):
        assert importing.imports_resume_stalled() == 0  # done: nothing to resume


def test_a_running_import_with_a_fresh_heartbeat_is_left_alone(catalog):
    from django.utils import timezone

    reader = UserFactory()
    with _after_commit(execute=False):
        started = importing.import_start(
            user=reader, file_name="g.csv", content=(FIXTURES / "goodreads_export.csv").read_bytes()
        )
    ShelfImport.objects.filter(pk=started.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), attempts=1
    )
    assert importing.imports_resume_stalled() == 0
    assert ShelfImport.objects.get(pk=started.pk).status == ImportStatus.RUNNING


def test_an_import_that_keeps_dying_is_marked_failed_with_what_to_do(client, catalog):
    from datetime import timedelta

    from django.utils import timezone

    reader = UserFactory()
    with _after_commit(execute=False):
        started = importing.import_start(
            user=reader, file_name="g.csv", content=(FIXTURES / "goodreads_export.csv").read_bytes()
        )
    silent = timezone.now() - importing.STALLED_AFTER - timedelta(minutes=1)
    ShelfImport.objects.filter(pk=started.pk).update(
        status=ImportStatus.RUNNING, started_at=silent, heartbeat_at=silent, attempts=importing.MAX_ATTEMPTS
    )
    assert importing.imports_resume_stalled() == 0
    failed = ShelfImport.objects.get(pk=started.pk)
    assert failed.status == ImportStatus.FAILED and "Upload the file again" in failed.error
    assert bytes(failed.content) == b""
    client.force_login(reader)
    page = client.get(reverse("books:import_status", args=[started.pk]))
    assert "Upload the file again" in page.text.replace("&#x27;", "'")
