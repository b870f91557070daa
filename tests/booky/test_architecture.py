"""The house rules for imports, checked on the real tree (README, "Architecture").

- The layers contract in pyproject.toml (import-linter, also run by `make lint`) holds, and it does
  catch an upward import: a copy of the tree with one deliberate upward import fails it.
- View modules (pages and API) never import another view module: shared view helpers live in
  named helper modules instead (booky/core/htmx.py, bets/sections.py, ...).
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# pages (views.py, invitation_views.py, views/...) and the API (api.py, notifications_api.py, api/...)
VIEW_MODULE = re.compile(r"(^|_)(views|api)$")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def tree_copy(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "upward_import", "complaint"),
    [
        ("social/models.py", "import bets.models", "social is not allowed to import bets"),
        ("clubs/services.py", "from meetings import services", "clubs is not allowed to import meetings"),
        (
            "booky/core/errors.py",
            "import booky.site.views.home",
            "booky.core is not allowed to import booky.site",
        ),
    ],
)
def test_an_upward_import_breaks_the_layers_contract(tree_copy, module, upward_import, complaint):
    path = tree_copy / module
    path.write_text(path.read_text() + f"\n{upward_import}  # deliberate: the contract must catch this\n")

    result = _lint_imports(tree_copy)

    assert result.returncode == 1, result.stdout
    assert complaint in result.stdout
    assert "1 broken" in result.stdout


def _family(module: str) -> str:
    """The view module a module belongs to: `clubs.views.members` -> `clubs.views`. booky.core is the
    floor that view modules share (its `api` holds the error serializer and pagination), not a view."""
    if module == "booky.core" or module.startswith("booky.core."):
        return ""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if VIEW_MODULE.search(part):
            return ".".join(parts[: index + 1])
    return ""


def test_view_modules_do_not_import_other_view_modules():
    graph = grimp.build_graph(*PACKAGES)
    crossings = sorted(
        f"{importer} -> {imported}"
        for importer in graph.modules
        if _family(importer)
        for imported in graph.find_modules_directly_imported_by(importer)
        if _family(imported) and _family(imported) != _family(importer)
    )
    assert crossings == []
