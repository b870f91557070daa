# Booky's everyday commands. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

# `python3 -m pip install --user uv` puts uv in ~/.local/bin; find it there even when it is not on PATH.
export PATH := $(HOME)/.local/bin:$(PATH)

VENV := $(or $(UV_PROJECT_ENVIRONMENT),.venv)
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PG_DATABASE_URL := $(or $(DATABASE_URL),postgres://root@127.0.0.1:5432/booky)
REPLICA_PORT ?= 5433

.PHONY: help uv install run serve worker demo test test-pg test-browser nu-checker schemathesis lint bench bench-smoke bench-capacity bench-leaderboards test-operations backup restore restore-drill replica replica-stop

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

uv:
	@command -v uv >/dev/null 2>&1 && exit 0
	echo "uv not found: installing it with pip into ~/.local/bin"
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv

install: uv  ## Install the locked dependencies into .venv
	@uv sync --locked

# Links in notification emails point where this server answers, unless SITE_URL says otherwise.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install  ## Migrate, load the demo data, then run the web server and the task worker (Ctrl-C stops both)
	@export DEBUG=1
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	web=""; worker=""; sweeper=""
	stop() { trap - INT TERM EXIT; kill $$web $$worker $$sweeper 2>/dev/null || true; wait || true; }
	trap stop INT TERM EXIT
	$(MANAGE) db_worker & worker=$$!
	# Bets are settled by tasks queued for each meeting's start; this sweep catches anything missed.
	$(MANAGE) resolve_due_meetings --loop 60 & sweeper=$$!
	$(MANAGE) runserver $(HOST):$(PORT) & web=$$!
	echo
	echo "Booky is running at http://$(HOST):$(PORT)/ with a task worker; Ctrl-C stops both."
	echo "Log in as ada, bruno, chiara, dev, elena, farid, grace or hiro with the demo password above."
	echo
	# Whichever stops first (Ctrl-C, a crash) takes the other one down with it.
	wait -n

serve: install  ## Production-like: collectstatic, migrate, gunicorn (DEBUG off)
	@unset DEBUG
	if [ -z "$${SECRET_KEY:-}" ]; then
	  echo "SECRET_KEY is not set: using a random one for this local run (sessions end when it stops)."
	  export SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')"
	fi
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1}"
	# No TLS in front of a local gunicorn: do not redirect to https unless asked to.
	export SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) migrate --noinput
	echo "Booky (gunicorn) at http://$(HOST):$(PORT)/ for hosts $$ALLOWED_HOSTS"
	exec $(VENV)/bin/gunicorn --config booky/gunicorn.conf.py --bind $(HOST):$(PORT)

worker: install  ## Run the background task worker and the bets sweep (DEBUG=1 unless DEBUG is set)
	@export DEBUG="$${DEBUG:-1}"
	sweeper=""
	trap 'kill $$sweeper 2>/dev/null || true' INT TERM EXIT
	$(MANAGE) resolve_due_meetings --loop 60 & sweeper=$$!
	$(MANAGE) db_worker

demo: install  ## Load the demo users and clubs (idempotent)
	@DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) seed_demo

# The suites run in PYTEST_WORKERS processes (pytest-xdist; "auto": one per CPU, 0: in this process).
# Each process has its own test database (test_booky_gw0, ...) and its own in-process cache.
PYTEST_WORKERS ?= auto

test: install  ## Run the whole test suite on SQLite (PYTEST_WORKERS processes, default one per CPU)
	@DATABASE_URL= REDIS_URL= uv run pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# pytest-django creates and drops test_<name> itself; the server must answer and <name> must exist.
define ENSURE_PG_DATABASE
import os, sys
from urllib.parse import urlsplit, urlunsplit
import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/") or "booky"
try:
    connection = psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True, connect_timeout=5)
except psycopg.OperationalError as error:
    sys.exit(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432}: {error}\n"
             "Start it (pg_ctlcluster 15 main start) or point DATABASE_URL at a running server.")
with connection:
    if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Created database {name}.")
endef
export ENSURE_PG_DATABASE

test-pg: install  ## Run the whole test suite on PostgreSQL (DATABASE_URL, default postgres://root@127.0.0.1:5432/booky)
	@export DATABASE_URL="$(PG_DATABASE_URL)" REDIS_URL=
	# With stored pages on (one process, so the in-process cache is shared): every test that writes
	# and reads again also checks that no stored page outlives a write.
	export PAGE_CACHE_SECONDS="$${PAGE_CACHE_SECONDS:-30}"
	$(PYTHON) -c "$$ENSURE_PG_DATABASE"
	uv run pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Tests marked `operations`: several processes against real PostgreSQL (and its streaming replica,
# `make replica`), Redis and gunicorn. Each test makes and drops its own databases.
test-operations: install  ## Multi-node checks: a streaming replica, two gunicorn nodes, Redis (run `make replica` first)
	@export DATABASE_URL="$(PG_DATABASE_URL)" REDIS_URL=
	uv run pytest -m operations $(PYTEST_ARGS)

replica:  ## (Re)create a streaming replica of the local PostgreSQL on port REPLICA_PORT (5433), pg_basebackup -R
	@REPLICA_PORT=$(REPLICA_PORT) .ci/replica.sh

replica-stop:  ## Stop the replica of `make replica` and delete its data directory
	@REPLICA_PORT=$(REPLICA_PORT) .ci/replica.sh stop

# The page gates' Nu HTML checker (tests/browser/test_page_gates.py): npm's vnu-jar, run with Java.
NU_CHECKER_VERSION := 26.9.27
NU_CHECKER_JAR := .cache/nu/node_modules/vnu-jar/build/dist/vnu.jar
nu-checker:  ## Install the Nu HTML checker (npm's vnu-jar; needs Java: apt-get install default-jre-headless)
	@test -f $(NU_CHECKER_JAR) || npm install --no-save --silent --no-audit --no-fund --prefix .cache/nu vnu-jar@$(NU_CHECKER_VERSION)

test-browser: install nu-checker  ## Run the browser tests and the page gates (Playwright driving Debian's /usr/bin/chromium)
	@status=0
	DATABASE_URL= REDIS_URL= uv run pytest -m browser $(PYTEST_ARGS) || status=$$?
	# pytest exits 5 when it collected no test: no browser test yet is not a failure.
	if [ $$status -eq 5 ]; then echo "No browser tests collected."; exit 0; fi
	exit $$status

# Recreates <name>_schemathesis beside DATABASE_URL's database, seeds it, serves it with gunicorn on a
# free port and runs schemathesis anonymous and with a Bearer token (.ci/schemathesis_gate.py).
schemathesis: install  ## Check every API response against the OpenAPI schema, on PostgreSQL (DATABASE_URL; SCHEMATHESIS_EXAMPLES)
	@$(PYTHON) .ci/schemathesis_gate.py

lint: install  ## ruff, the import contracts (one-way layers), missing migrations, deployment checks
	@uv run ruff check .
	uv run ruff format --check .
	# The layers of the README's architecture section (pyproject.toml [tool.importlinter]).
	uv run lint-imports --no-cache
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	env -u DEBUG -u DATABASE_URL \
	  SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=booky.example.com \
	  $(MANAGE) check --deploy --fail-level WARNING

# Backups of the configured database (DATABASE_URL, else SQLITE_PATH): the commands only read
# settings, so a missing SECRET_KEY/ALLOWED_HOSTS is filled in for this run, as `make serve` does.
define BACKUP_ENV
if [ -z "$${DEBUG:-}" ]; then
  export SECRET_KEY="$${SECRET_KEY:-$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')}"
  export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost}"
fi
endef

backup:  ## Back up the database to backups/ (pg_dump custom format, or a SQLite copy; OUTPUT= another path)
	@$(BACKUP_ENV)
	$(MANAGE) backup_database $(if $(OUTPUT),--output "$(OUTPUT)")

restore:  ## Restore FILE= into a NEW database (INTO= its name, URL or SQLite path) and print how to switch to it
	@if [ -z "$(FILE)" ]; then echo "Usage: make restore FILE=backups/booky-....dump [INTO=name]" >&2; exit 2; fi
	$(BACKUP_ENV)
	$(MANAGE) restore_database "$(FILE)" $(if $(INTO),--into "$(INTO)")

# Seeds booky_drill (PostgreSQL at DATABASE_URL's server, default local) and a SQLite file, backs each
# up, restores it into a new database and compares them (.ci/restore_drill.py); drops what it made.
restore-drill: install  ## Back up, restore into a new database, then audit_points and every table's rows must match
	@DATABASE_URL="$(PG_DATABASE_URL)" $(PYTHON) .ci/restore_drill.py

# bench/run.py recreates booky_bench and booky_bench_floor on DATABASE_URL's server (default: local
# PostgreSQL), uses Redis db 12 and wrk; results go to bench/results/. README "Benchmark" explains them.
BENCH_SERVER_URL := $(or $(DATABASE_URL),postgres://root@127.0.0.1:5432/postgres)

bench: install  ## Load every page with wrk beside a bare Django floor (SCALE=1.0, DURATION=10 s per page)
	@DATABASE_URL="$(BENCH_SERVER_URL)" $(PYTHON) bench/run.py --scale $(or $(SCALE),1.0) --duration $(or $(DURATION),10) $(BENCH_ARGS)

bench-smoke: install  ## The CI bench: scale 0.05, 2 s per page; fails on errors, non-2xx, queries over budget
	@DATABASE_URL="$(BENCH_SERVER_URL)" $(PYTHON) bench/run.py --scale 0.05 --duration 2 --connections 4 --smoke --output smoke

bench-capacity: uv  ## How many active readers one node holds (USERS=2000, SCALE=0.2, RUN_TIME=120 s; locust)
	@uv sync --locked --group bench
	DATABASE_URL="$(BENCH_SERVER_URL)" $(PYTHON) bench/run.py --capacity --users $(or $(USERS),2000) \
	  --scale $(or $(SCALE),0.2) --run-time $(or $(RUN_TIME),120)

bench-leaderboards: install  ## Time the leaderboard reads in process with USERS seeded members (default 10000)
	@uv run python bench/leaderboard_bench.py --users $(or $(USERS),10000)
