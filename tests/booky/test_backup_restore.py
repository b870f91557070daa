"""backup_database / restore_database on SQLite; tests/operations/test_backup_restore_pg.py does PostgreSQL."""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from booky.core import backups


def sqlite_settings(path: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def make_database(path: Path, rows: int = 300) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE book (id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
        connection.execute("CREATE TABLE shelf (id INTEGER PRIMARY KEY, book_id INTEGER REFERENCES book(id))")
        connection.executemany("INSERT INTO book (title) VALUES (?)", [(f"Book {n}",) for n in range(rows)])
        connection.executemany("INSERT INTO shelf (book_id) VALUES (?)", [(n + 1,) for n in range(rows // 2)])
        connection.commit()


def table_rows(path: Path) -> dict[str, list]:
    with closing(sqlite3.connect(path)) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: connection.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall() for name in names}


def test_backup_while_a_writer_holds_rows_in_the_wal_restores_every_row(tmp_path):
    source = tmp_path / "db.sqlite3"
    make_database(source)
    # The app's connection stays open with commits still in the WAL, not yet in the main file.
    with closing(sqlite3.connect(source)) as app:
        app.execute("PRAGMA wal_autocheckpoint=0")
        app.executemany("INSERT INTO book (title) VALUES (?)", [(f"Late {n}",) for n in range(50)])
        app.commit()
        assert (tmp_path / "db.sqlite3-wal").stat().st_size > 0
        archive = backups.backup(sqlite_settings(source), tmp_path / "backups" / "copy.sqlite3")
        expected = table_rows(source)

    assert backups.archive_kind(archive) is backups.ArchiveKind.SQLITE
    assert not archive.with_name("copy.sqlite3-wal").exists()
    restored = backups.restore(sqlite_settings(source), archive, into=str(tmp_path / "restored.sqlite3"))
    assert restored == tmp_path / "restored.sqlite3"
    assert len(expected["book"]) == 350
    assert table_rows(restored) == expected


def test_commands_round_trip_a_database_file(run_django, tmp_path):
    source = tmp_path / "db.sqlite3"
    make_database(source)
    env = {"DEBUG": "1", "SQLITE_PATH": str(source)}

    backed_up = run_django("", env, "manage.py", "backup_database", "--output", str(tmp_path / "b.sqlite3"))
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout.strip() == str(tmp_path / "b.sqlite3")

    restored = run_django("", env, "manage.py", "restore_database", str(tmp_path / "b.sqlite3"))
    assert restored.returncode == 0, restored.stderr
    [new_file] = tmp_path.glob("db_restored_*.sqlite3")
    assert f"SQLITE_PATH={new_file}" in restored.stdout
    assert table_rows(new_file) == table_rows(source)


def test_backup_without_output_names_the_file_after_the_database_and_the_time(tmp_path):
    path = backups.default_backup_path(sqlite_settings(tmp_path / "db.sqlite3"))
    assert path.parent == Path("backups")
    assert path.name.startswith("booky-db-") and path.suffix == ".sqlite3"
    pg = {"ENGINE": "django.db.backends.postgresql", "NAME": "booky"}
    assert backups.default_backup_path(pg).name.startswith("booky-booky-")
    assert backups.default_backup_path(pg).suffix == ".dump"


def test_restoring_a_garbage_file_is_a_clear_error_without_traceback(run_django, tmp_path):
    garbage = tmp_path / "notes.txt"
    garbage.write_text("this is not a backup\n")
    done = run_django("", {"DEBUG": "1"}, "manage.py", "restore_database", str(garbage))
    assert done.returncode == 1
    assert "neither a pg_dump custom-format archive nor a SQLite database" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*restored*"))


def test_restoring_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No backup file at"):
        call_command("restore_database", str(tmp_path / "missing.sqlite3"), into=str(tmp_path / "x.sqlite3"))
    assert not (tmp_path / "x.sqlite3").exists()


@pytest.fixture
def sqlite_configured(settings, tmp_path):
    """The commands read the configured database: SQLite here, whichever database the suite runs on
    (the commands open no connection, so the live ones are untouched)."""
    settings.DATABASES = {"default": sqlite_settings(tmp_path / "configured.sqlite3")}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_restoring_onto_an_existing_file_is_refused_unless_forced(tmp_path, sqlite_configured):
    source, existing = tmp_path / "db.sqlite3", tmp_path / "existing.sqlite3"
    make_database(source, rows=10)
    make_database(existing, rows=99)
    archive = backups.backup(sqlite_settings(source), tmp_path / "b.sqlite3")

    with pytest.raises(CommandError, match="already exists"):
        call_command("restore_database", str(archive), into=str(existing))
    assert len(table_rows(existing)["book"]) == 99

    call_command("restore_database", str(archive), into=str(existing), force=True)
    assert table_rows(existing) == table_rows(source)
    assert not (tmp_path / "existing.sqlite3-wal").exists()


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_a_postgresql_archive_is_refused_when_the_database_is_sqlite(tmp_path, sqlite_configured):
    archive = tmp_path / "booky.dump"
    archive.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(200))
    with pytest.raises(CommandError, match="is a postgresql backup but the configured database is sqlite"):
        call_command("restore_database", str(archive), into=str(tmp_path / "x.sqlite3"))


def test_a_damaged_sqlite_backup_is_refused_and_leaves_no_file(tmp_path):
    source = tmp_path / "db.sqlite3"
    make_database(source, rows=3000)
    archive = backups.backup(sqlite_settings(source), tmp_path / "b.sqlite3")
    damaged = tmp_path / "damaged.sqlite3"
    content = archive.read_bytes()
    # The header survives; pages in the middle are overwritten.
    damaged.write_bytes(content[:4096] + b"\xff" * (len(content) // 2) + content[4096 + len(content) // 2 :])

    with pytest.raises(backups.BackupError):
        backups.restore(sqlite_settings(source), damaged, into=str(tmp_path / "restored.sqlite3"))
    assert not list(tmp_path.glob("restored*"))


def test_backing_up_a_missing_database_file_creates_nothing(tmp_path):
    with pytest.raises(backups.BackupError, match="No SQLite database at"):
        backups.backup(sqlite_settings(tmp_path / "absent.sqlite3"), tmp_path / "b.sqlite3")
    assert sorted(path.name for path in tmp_path.iterdir()) == []
