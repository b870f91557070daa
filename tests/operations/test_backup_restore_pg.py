"""backup_database / restore_database against the real PostgreSQL server of DATABASE_URL.

Each test makes its own databases (named drilltest_*) and drops them; pytest-django's test database
is not used, because a restore must land in a database of its own.
"""

import os
import subprocess
import uuid
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from psycopg import sql

from booky.core import backups

pytestmark = pytest.mark.operations


@pytest.fixture
def server():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.fail("needs DATABASE_URL=postgres://... (make test-operations sets it)")
    return dj_database_url.parse(url)


@pytest.fixture
def databases(server):
    """Names for new databases on the server; every one of them (and its restores) is dropped after."""
    prefix = f"drilltest_{uuid.uuid4().hex[:8]}"
    made = []

    def name(suffix: str) -> str:
        made.append(f"{prefix}_{suffix}")
        return made[-1]

    yield name
    with psycopg.connect(**connect_args(server, "postgres"), autocommit=True) as connection:
        leftovers = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{prefix}%"]
        )
        for (leftover,) in leftovers.fetchall():
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(leftover)))


def connect_args(database: dict, name: str) -> dict:
    return {
        "dbname": name,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }


def create_source(server: dict, name: str) -> dict:
    with psycopg.connect(**connect_args(server, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(**connect_args(server, name)) as connection:
        connection.execute("CREATE TABLE club (id serial PRIMARY KEY, name text NOT NULL UNIQUE)")
        connection.execute(
            "CREATE TABLE member (id bigserial PRIMARY KEY, club_id int NOT NULL REFERENCES club(id), "
            "name text NOT NULL, points int NOT NULL CHECK (points >= 0))"
        )
        connection.execute("INSERT INTO club (name) SELECT 'Club ' || n FROM generate_series(1, 40) n")
        connection.execute(
            "INSERT INTO member (club_id, name, points) "
            "SELECT 1 + n % 40, 'Lectrice ' || n || ' — “ü”', n FROM generate_series(1, 2000) n"
        )
    return {**server, "NAME": name}


def snapshot(database: dict, name: str) -> dict:
    with psycopg.connect(**connect_args(database, name)) as connection:
        return {
            "clubs": connection.execute("SELECT count(*) FROM club").fetchone()[0],
            "members": connection.execute("SELECT count(*), sum(points), max(name) FROM member").fetchone(),
            "sequences": sorted(
                connection.execute("SELECT sequencename, last_value FROM pg_sequences").fetchall()
            ),
        }


def test_a_custom_format_archive_restores_into_a_new_database_with_every_row(server, databases, tmp_path):
    source = create_source(server, databases("source"))
    archive = backups.backup(source, tmp_path / "booky.dump")
    assert archive.read_bytes()[:5] == b"PGDMP"

    url = backups.restore(source, archive, into=databases("copy"))

    restored = dj_database_url.parse(url.replace("<password>", server.get("PASSWORD") or ""))
    assert restored["NAME"].endswith("_copy")
    assert snapshot(source, restored["NAME"]) == snapshot(source, source["NAME"])
    assert snapshot(source, restored["NAME"])["members"][0] == 2000
    # The sequences came along: the next row does not collide with a restored one.
    with psycopg.connect(**connect_args(source, restored["NAME"])) as connection:
        assert connection.execute("INSERT INTO club (name) VALUES ('New') RETURNING id").fetchone() == (41,)


def test_without_into_the_restore_makes_a_timestamped_database_beside_the_original(
    server, databases, tmp_path
):
    source = create_source(server, databases("source"))
    archive = backups.backup(source, tmp_path / "booky.dump")
    url = backups.restore(source, archive)
    assert f"/{source['NAME']}_restored_" in url
    assert snapshot(source, url.rsplit("/", 1)[1])["clubs"] == 40


def test_restoring_into_a_database_that_holds_tables_is_refused(server, databases, tmp_path):
    source = create_source(server, databases("source"))
    archive = backups.backup(source, tmp_path / "booky.dump")
    with pytest.raises(backups.BackupError, match="already exists and is not empty"):
        backups.restore(source, archive, into=source["NAME"])
    assert snapshot(source, source["NAME"])["clubs"] == 40


def test_restoring_into_an_existing_empty_database_is_allowed(server, databases, tmp_path):
    source = create_source(server, databases("source"))
    archive = backups.backup(source, tmp_path / "booky.dump")
    empty = databases("empty")
    with psycopg.connect(**connect_args(server, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(empty)))
    backups.restore(source, archive, into=empty)
    assert snapshot(source, empty)["clubs"] == 40


def test_a_failed_restore_drops_the_database_it_created(server, databases, tmp_path):
    source = create_source(server, databases("source"))
    archive = backups.backup(source, tmp_path / "booky.dump")
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(archive.read_bytes()[:2000])
    target = databases("half")

    with pytest.raises(backups.BackupError, match="pg_restore failed"):
        backups.restore(source, truncated, into=target)
    with psycopg.connect(**connect_args(server, "postgres")) as connection:
        assert connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target]).fetchone() is None


def test_a_sqlite_backup_is_refused_on_postgresql(server, databases, tmp_path):
    archive = tmp_path / "db.sqlite3"
    archive.write_bytes(b"SQLite format 3\x00" + bytes(100))
    with pytest.raises(
        backups.BackupError, match="is a sqlite backup but the configured database is postgresql"
    ):
        backups.restore({**server, "NAME": databases("never")}, archive)


def test_the_password_goes_through_the_environment_never_the_command_line(
    server, databases, tmp_path, monkeypatch
):
    source = {**create_source(server, databases("source")), "PASSWORD": "s3cret-do-not-show"}
    calls = []
    real_run = subprocess.run

    def recording_run(command, **kwargs):
        calls.append((command, kwargs["env"]))
        return real_run(command, **kwargs)

    monkeypatch.setattr(backups.subprocess, "run", recording_run)
    archive = backups.backup(source, tmp_path / "booky.dump")
    url = backups.restore(source, archive, into=databases("copy"))

    assert [Path(command[0]).name for command, _ in calls] == ["pg_dump", "pg_restore"]
    for command, env in calls:
        assert not any("s3cret" in part for part in command)
        assert env["PGPASSWORD"] == "s3cret-do-not-show"
    assert "s3cret" not in url and ":<password>@" in url
