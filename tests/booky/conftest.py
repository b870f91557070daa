import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_django(tmp_path):
    """Run code in a new interpreter that sees only the given environment: no pytest, no inherited config."""

    def run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        clean_env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", str(tmp_path)),
            "DJANGO_SETTINGS_MODULE": "booky.settings",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
            "PYTHONDONTWRITEBYTECODE": "1",
            **env,
        }
        command = [sys.executable, *args] if args else [sys.executable, "-c", code]
        return subprocess.run(
            command, cwd=PROJECT_DIR, env=clean_env, capture_output=True, text=True, timeout=120, check=False
        )

    return run
