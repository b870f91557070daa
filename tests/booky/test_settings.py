import re
import secrets
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

SETUP = "import django; django.setup(); print('started')"
PRODUCTION_ENV = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "booky.example.com"}


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY, ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "booky.example.com"}, "SECRET_KEY"),
        ({"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]}, "ALLOWED_HOSTS"),
        ({"DEBUG": "0"}, "SECRET_KEY, ALLOWED_HOSTS"),
    ],
)
def test_start_without_debug_refuses_missing_secret_key_or_allowed_hosts(run_django, env, missing):
    result = run_django(SETUP, env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert f"Booky refuses to start: {missing} must be set when DEBUG is off." in result.stderr
    assert "see .env.example" in result.stderr


def test_start_with_debug_needs_no_configuration(run_django):
    result = run_django(SETUP, {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_start_with_production_configuration_succeeds(run_django):
    result = run_django(SETUP, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_deploy_checks_pass_with_production_configuration(run_django):
    result = run_django("", PRODUCTION_ENV, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_flag_a_short_secret_key(run_django):
    env = {**PRODUCTION_ENV, "SECRET_KEY": "too-short"}
    result = run_django("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_configuration_turns_on_https_protections(run_django):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS)"
    )
    result = run_django(code, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True True ['booky.example.com']"


def variables_settings_reads() -> set[str]:
    source = (PROJECT_DIR / "booky" / "settings.py").read_text()
    reader = r"(?:os\.environ\.get\(|os\.environ\[|env_bool\(|env_list\()"
    return set(re.findall(reader + r'"([A-Z0-9_]+)"', source))


def test_env_example_lists_every_variable_settings_reads():
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (PROJECT_DIR / ".env.example").read_text(), re.MULTILINE))
    assert {"SECRET_KEY", "DATABASE_URL", "SMTP_HOST"} <= variables_settings_reads()
    assert variables_settings_reads() - listed == set()


def test_readme_configuration_table_lists_every_variable_settings_reads():
    readme = (PROJECT_DIR / "README.md").read_text()
    assert {name for name in variables_settings_reads() if f"`{name}`" not in readme} == set()
