"""Restore drill: a backup counts only once it has been restored. `make restore-drill` runs this.

For PostgreSQL (the server of DATABASE_URL, default postgres://root@127.0.0.1:5432) and for SQLite
(files in a temporary directory), it
1. makes a fresh database (`booky_drill`), migrates it, loads the demo data and the benchmark's data
   at a small scale (`--scale`, default 0.02: every table the app fills gets rows);
2. backs it up with `manage.py backup_database` and restores that with `manage.py restore_database`
   into a new database (`booky_drill_restored`), using the DATABASE_URL / SQLITE_PATH it prints;
3. checks the restored database: `audit_points` clean, no migration missing, and for every table the
   same row count and the same content fingerprint (an order-free hash of its rows) as the original;
   on PostgreSQL every sequence at the same value, so the next insert does not collide;
4. drops the drill databases, also when a step failed.
Exits non-zero on any difference.
"""

import argparse
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = "booky_drill"
RESTORED = "booky_drill_restored"


class DrillFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"restore drill: {message}", flush=True)


def run(env: dict, *command: str) -> str:
    started = time.monotonic()
    done = subprocess.run(list(command), cwd=ROOT, env=env, capture_output=True, text=True)
    step = " ".join(Path(part).name if index == 0 else part for index, part in enumerate(command))
    if done.returncode != 0:
        raise DrillFailed(f"{step} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    say(f"{env['DRILL_KIND']}: {step} ({time.monotonic() - started:.1f} s)")
    return done.stdout


def manage(env: dict, *args: str) -> str:
    return run(env, sys.executable, "manage.py", *args)


# Seeding and checking run in one child process each: every Django start-up costs seconds.
def seed(env: dict, scale: float) -> None:
    run(env, sys.executable, __file__, "--phase", "seed", "--scale", str(scale))


def check_restored(env: dict) -> None:
    run(env, sys.executable, __file__, "--phase", "check")


def phase(name: str, scale: float) -> None:
    """A step inside Django, on the database of this process's environment."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booky.settings")
    import django

    django.setup()
    from django.core.management import CommandError, call_command

    if name == "seed":
        from bench.seed import seed as bench_seed

        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", verbosity=0)
        bench_seed(scale)
    else:
        # audit_points raises CommandError (exit 1) on any drift; migrate --check exits 1 when one is missing.
        try:
            call_command("audit_points")
            call_command("migrate", check_unapplied=True, interactive=False, verbosity=0)
        except CommandError as error:
            sys.exit(f"The restored database fails its checks: {error}")


def compare(original: dict[str, tuple], restored: dict[str, tuple], what: str) -> list[str]:
    problems = [f"{what} {name}: missing from the restored database" for name in original.keys() - restored]
    problems += [f"{what} {name}: only in the restored database" for name in restored.keys() - original]
    problems += [
        f"{what} {name}: {original[name]} before, {restored[name]} after"
        for name in sorted(original.keys() & restored.keys())
        if original[name] != restored[name]
    ]
    return problems


def report(kind: str, original: dict[str, tuple], problems: list[str], started: float) -> None:
    rows = sum(count for count, _ in original.values())
    filled = sum(1 for count, _ in original.values() if count)
    say(
        f"{kind}: {len(original)} tables ({filled} with rows, {rows} rows in all) compared "
        f"in {time.monotonic() - started:.1f} s: " + ("identical." if not problems else "DIFFERENT:")
    )
    for problem in problems:
        say(f"  {problem}")


# --- PostgreSQL ---

# An order-free fingerprint of a table's rows: the md5 of its rows' md5s, sorted.
PG_TABLE = sql.SQL(
    "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM {} t"
)


def pg_tables(url: str) -> tuple[dict[str, tuple], dict[str, tuple]]:
    with psycopg.connect(url) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        tables = {
            name: connection.execute(PG_TABLE.format(sql.Identifier(name))).fetchone() for name in names
        }
        sequences = {
            name: (value,)
            for name, value in connection.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
        }
    return tables, sequences


def pg_drill(scale: float) -> bool:
    server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://root@127.0.0.1:5432/booky")
    maintenance = urlunsplit(server._replace(path="/postgres"))
    original_url = urlunsplit(server._replace(path=f"/{ORIGINAL}"))
    say(f"PostgreSQL at {server.hostname}:{server.port or 5432}: {ORIGINAL} -> {RESTORED}")
    started = time.monotonic()

    def drop_drill_databases() -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            for name in (ORIGINAL, RESTORED):
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )

    try:
        drop_drill_databases()
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(ORIGINAL)))
        env = {
            **os.environ,
            "DEBUG": "1",
            "REDIS_URL": "",
            "DATABASE_URL": original_url,
            "DRILL_KIND": "PostgreSQL",
        }
        seed(env, scale)
        with tempfile.TemporaryDirectory(prefix="booky-drill-") as directory:
            archive = Path(directory) / "drill.dump"
            manage(env, "backup_database", "--output", str(archive))
            say(f"PostgreSQL: the archive is {archive.stat().st_size / 1e6:.1f} MB")
            printed = manage(env, "restore_database", str(archive), "--into", RESTORED)
        restored_url = re.search(r"DATABASE_URL=(\S+)", printed).group(1)
        restored_url = restored_url.replace("<password>", server.password or "")
        check_restored({**env, "DATABASE_URL": restored_url})
        original_tables, original_sequences = pg_tables(original_url)
        restored_tables, restored_sequences = pg_tables(restored_url)
        problems = compare(original_tables, restored_tables, "table")
        problems += compare(original_sequences, restored_sequences, "sequence")
        report("PostgreSQL", original_tables, problems, started)
        return not problems
    except DrillFailed as error:
        say(f"PostgreSQL: {error}")
        return False
    finally:
        drop_drill_databases()


# --- SQLite ---


def sqlite_tables(path: Path) -> dict[str, tuple]:
    tables = {}
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for name in names:
            rows = sorted(
                hashlib.md5(repr(row).encode()).hexdigest()
                for row in connection.execute(f'SELECT * FROM "{name}"')
            )
            tables[name] = (len(rows), hashlib.md5("".join(rows).encode()).hexdigest())
    return tables


def sqlite_drill(scale: float) -> bool:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="booky-drill-") as directory:
        original = Path(directory) / f"{ORIGINAL}.sqlite3"
        say(f"SQLite: {original.name} -> {RESTORED}.sqlite3 in {directory}")
        env = {
            **os.environ,
            "DEBUG": "1",
            "REDIS_URL": "",
            "DATABASE_URL": "",
            "SQLITE_PATH": str(original),
            "DRILL_KIND": "SQLite",
        }
        try:
            seed(env, scale)
            archive = Path(directory) / "backups" / "drill.sqlite3"
            manage(env, "backup_database", "--output", str(archive))
            printed = manage(
                env, "restore_database", str(archive), "--into", str(Path(directory) / f"{RESTORED}.sqlite3")
            )
            restored = Path(re.search(r"SQLITE_PATH=(\S+)", printed).group(1))
            check_restored({**env, "SQLITE_PATH": str(restored)})
            original_tables = sqlite_tables(original)
            problems = compare(original_tables, sqlite_tables(restored), "table")
        except DrillFailed as error:
            say(f"SQLite: {error}")
            return False
    report("SQLite", original_tables, problems, started)
    return not problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.02, help="the benchmark data's scale (default 0.02)")
    parser.add_argument("--only", choices=["postgresql", "sqlite"], help="run one of the two drills")
    parser.add_argument("--phase", choices=["seed", "check"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.phase, args.scale)
        return
    started = time.monotonic()
    drills = {"PostgreSQL": pg_drill, "SQLite": sqlite_drill}
    chosen = {kind: drill for kind, drill in drills.items() if args.only in (None, kind.lower())}
    # Side by side: most of each drill is a child process starting Django or waiting for a database.
    with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
        futures = {kind: pool.submit(drill, args.scale) for kind, drill in chosen.items()}
        results = {kind: future.result() for kind, future in futures.items()}
    summary = ", ".join(f"{kind} {'passed' if passed else 'FAILED'}" for kind, passed in results.items())
    say(f"{summary} ({time.monotonic() - started:.0f} s)")
    if not all(results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
