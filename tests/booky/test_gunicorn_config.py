"""booky/gunicorn.conf.py sizes itself from the machine unless told otherwise, and recycles its workers
at staggered moments."""

import os
import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "booky" / "gunicorn.conf.py"
VARIABLES = ("WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER")


@pytest.fixture
def load_config(monkeypatch):
    def load(cpus: int | None = 2, **env: str) -> dict:
        monkeypatch.setattr(os, "process_cpu_count", lambda: cpus)
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return load


@pytest.mark.parametrize(("cpus", "workers"), [(None, 3), (1, 3), (2, 5), (4, 9), (5, 11), (6, 12), (64, 12)])
def test_workers_default_to_two_per_cpu_plus_one_capped(load_config, cpus, workers):
    assert load_config(cpus)["workers"] == workers


def test_web_concurrency_overrides_the_cpu_count(load_config):
    assert load_config(64, WEB_CONCURRENCY="3")["workers"] == 3


def test_workers_are_recycled_only_when_asked_with_half_the_limit_as_jitter(load_config):
    config = load_config()
    assert (config["max_requests"], config["max_requests_jitter"]) == (0, 0)  # never recycled
    config = load_config(GUNICORN_MAX_REQUESTS="1000")
    assert (config["max_requests"], config["max_requests_jitter"]) == (1000, 500)
    config = load_config(GUNICORN_MAX_REQUESTS="500", GUNICORN_MAX_REQUESTS_JITTER="7")
    assert config["max_requests_jitter"] == 7


def test_timeouts_and_the_drain_are_kept(load_config):
    config = load_config()
    assert (config["timeout"], config["graceful_timeout"], config["drain_seconds"]) == (30, 30, 10.0)
    assert callable(config["when_ready"])
