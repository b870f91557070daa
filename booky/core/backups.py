"""Backups of the default database and their restore into a new one (`make backup`, `make restore`).

PostgreSQL: a `pg_dump --format=custom` archive, restored by `pg_restore` into a database created for it.
SQLite: a copy made with SQLite's online backup API (consistent while the app writes, WAL included),
restored by the same API into a new file and checked with `PRAGMA integrity_check`.

Every function takes a Django `DATABASES` entry, so the commands, the restore drill and the tests can
point it at any database. Failures raise `BackupError` with a message for the operator.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from contextlib import closing
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import psycopg
from psycopg import sql

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Debian's versioned binaries, newest first, when pg_dump is not on PATH.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    pass


class ArchiveKind(StrEnum):
    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


def database_kind(database: Mapping) -> ArchiveKind:
    engine = database["ENGINE"]
    if engine.endswith("postgresql"):
        return ArchiveKind.POSTGRESQL
    if engine.endswith("sqlite3"):
        return ArchiveKind.SQLITE
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def archive_kind(path: Path) -> ArchiveKind:
    """What `path` holds, read from its first bytes; BackupError for anything else."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    with path.open("rb") as archive:
        head = archive.read(len(SQLITE_MAGIC))
    if head.startswith(PG_MAGIC):
        return ArchiveKind.POSTGRESQL
    if head == SQLITE_MAGIC:
        return ArchiveKind.SQLITE
    raise BackupError(
        f"{path} is neither a pg_dump custom-format archive nor a SQLite database "
        "(a plain-SQL dump is restored with psql, not here)."
    )


def utc_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%d_%H%M%S")


def default_backup_path(database: Mapping, directory: Path = Path("backups")) -> Path:
    """backups/booky-<database name>-<UTC time>.dump (PostgreSQL) or .sqlite3 (SQLite)."""
    if database_kind(database) is ArchiveKind.POSTGRESQL:
        return directory / f"booky-{database['NAME']}-{utc_stamp()}.dump"
    return directory / f"booky-{Path(database['NAME']).stem}-{utc_stamp()}.sqlite3"


def backup(database: Mapping, output: Path) -> Path:
    """Write a complete, consistent backup of `database` to `output`; a failed one leaves no file there."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database_kind(database) is ArchiveKind.POSTGRESQL:
            _pg_dump(database, partial)
        else:
            _sqlite_copy(Path(database["NAME"]), partial, source_must_exist=True)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def restore(database: Mapping, archive: Path, *, into: str | None = None, force: bool = False, jobs: int = 0):
    """Restore `archive` into a new database beside `database`; return what to point the app at.

    PostgreSQL returns the new database's DATABASE_URL, SQLite the new file's path (SQLITE_PATH).
    """
    kind = archive_kind(archive)
    configured = database_kind(database)
    if kind is not configured:
        raise BackupError(
            f"{archive} is a {kind} backup but the configured database is {configured}; "
            + (
                "set DATABASE_URL to a PostgreSQL server to restore it."
                if kind is ArchiveKind.POSTGRESQL
                else "unset DATABASE_URL (SQLite) to restore it."
            )
        )
    if kind is ArchiveKind.POSTGRESQL:
        return _pg_restore(database, archive, into=into, jobs=jobs or min(4, os.cpu_count() or 1))
    return _sqlite_restore(database, archive, into=into, force=force)


# --- SQLite ---


def _sqlite_copy(source: Path, target: Path, *, source_must_exist: bool) -> None:
    if source_must_exist and not source.is_file():
        raise BackupError(f"No SQLite database at {source}.")
    try:
        # Read-only: a backup must never create or change the database it copies.
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as origin,
            closing(sqlite3.connect(target)) as copy,
        ):
            origin.backup(copy)
            # One self-contained file: no -wal beside it to lose when it is moved or copied.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"Could not copy the SQLite database {source}: {error}") from error


def _sqlite_restore(database: Mapping, archive: Path, *, into: str | None, force: bool) -> Path:
    configured = Path(database["NAME"])
    target = Path(into) if into else configured.with_name(f"{configured.stem}_restored_{utc_stamp()}.sqlite3")
    if target.resolve() == archive.resolve():
        raise BackupError("The restore target is the backup file itself.")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; choose another --into or pass --force to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _sqlite_copy(archive, partial, source_must_exist=True)
        try:
            with closing(sqlite3.connect(partial)) as check:
                problems = [row[0] for row in check.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
        if problems != ["ok"]:
            raise BackupError(f"{archive} fails SQLite's integrity check: {'; '.join(problems[:5])}")
        # A replaced database's leftover WAL would be replayed onto the restored file.
        for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


# --- PostgreSQL ---


def pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for directory in sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")), key=_version_key, reverse=True):
        if (directory / name).is_file():
            return str(directory / name)
    raise BackupError(f"{name} is not installed (apt-get install postgresql-client).")


def _version_key(directory: Path) -> int:
    version = directory.parent.name
    return int(version) if version.isdigit() else 0


def _pg_env(database: Mapping) -> dict[str, str]:
    """libpq's environment for `database`: the password travels here, never on a command line."""
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        value = database.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    sslmode = (database.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed (exit {done.returncode}):\n{done.stderr.strip()}")


def _pg_dump(database: Mapping, output: Path) -> None:
    _run(
        [
            pg_binary("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={output}",
            f"--dbname={database['NAME']}",
        ],
        _pg_env(database),
    )


def _pg_connect(database: Mapping, name: str) -> psycopg.Connection:
    try:
        return psycopg.connect(
            dbname=name,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            sslmode=(database.get("OPTIONS") or {}).get("sslmode"),
            autocommit=True,
            connect_timeout=10,
        )
    except psycopg.OperationalError as error:
        raise BackupError(f"Cannot connect to PostgreSQL database {name}: {error}") from error


def _pg_target(database: Mapping, into: str | None) -> dict:
    """The DATABASES entry to restore into: a name on the same server, or a whole URL."""
    if into and "://" in into:
        return {**dj_database_url.parse(into), "OPTIONS": dict(database.get("OPTIONS") or {})}
    name = into or f"{database['NAME']}_restored_{utc_stamp()}"
    return {**database, "NAME": name}


def _pg_create_fresh(target: Mapping) -> bool:
    """Make sure `target` exists and holds nothing; True when this call created it."""
    with _pg_connect(target, "postgres") as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]]).fetchone()
        if not exists:
            # template0: nothing that template1 may have gained is in the way of the archive's objects.
            server.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(target["NAME"]))
            )
            return True
    with _pg_connect(target, target["NAME"]) as existing:
        relations = existing.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
        ).fetchone()[0]
    if relations:
        raise BackupError(
            f"Database {target['NAME']} already exists and is not empty; restore into a new one (--into)."
        )
    return False


def _pg_drop(target: Mapping) -> None:
    with _pg_connect(target, "postgres") as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target["NAME"]))
        )


def _pg_restore(database: Mapping, archive: Path, *, into: str | None, jobs: int) -> str:
    target = _pg_target(database, into)
    created = _pg_create_fresh(target)
    try:
        _run(
            [
                pg_binary("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--jobs={jobs}",
                f"--dbname={target['NAME']}",
                str(archive),
            ],
            _pg_env(target),
        )
    except BaseException:
        # Half a restore is worse than none: nobody should switch to it by mistake.
        if created:
            _pg_drop(target)
        raise
    return database_url(target)


def database_url(database: Mapping) -> str:
    """A DATABASE_URL for `database`, with the password left as a placeholder (it is never printed)."""
    user = quote(database.get("USER") or "", safe="")
    credentials = f"{user}:<password>@" if database.get("PASSWORD") else (f"{user}@" if user else "")
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(database['NAME'], safe='')}"
