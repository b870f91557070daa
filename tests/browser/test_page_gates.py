"""The page gates: every page the anonymous visitor, a member and an owner reach by links has no axe-core
violations (WCAG 2.2 A/AA) in light and dark mode at 360 and 1280 px, and no Nu HTML checker error.

axe-core is vendored (tests/browser/vendor, from npm); the Nu checker is npm's vnu-jar, which
`make nu-checker` installs (`make test-browser` does it first) and which needs Java.
"""

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from social.models import User
from tests.browser.conftest import _session_cookie
from tests.browser.page_crawl import ENTRANCE_PAGES, crawl

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
NU_CHECKER = Path(
    os.environ.get(
        "NU_CHECKER_JAR",
        Path(__file__).resolve().parents[2] / ".cache/nu/node_modules/vnu-jar/build/dist/vnu.jar",
    )
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VARIANTS = [(scheme, width) for scheme in ("light", "dark") for width in (360, 1280)]
# Demo roles (booky/site/management/commands/seed_demo.py): ada owns Lisbon Night Readers and moderates
# Slow Classics; grace is a plain member of two clubs.
ROLES = {"anonymous": None, "member": "grace", "owner": "ada"}

RUN_AXE = """async (tags) => {
  // Beside WCAG's rules, two of axe's best practices: heading levels never skip, one <h1> per page.
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    rules: {"heading-order": {enabled: true}, "page-has-heading-one": {enabled: true}},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " | " + (n.failureSummary || "").split("\\n").slice(1, 3).join(" ")),
  }));
}"""


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, AXE_TAGS)


def nu_errors(paths: list[Path]) -> list[dict]:
    java = shutil.which("java")
    if java is None or not NU_CHECKER.exists():
        pytest.fail(
            "The Nu checker needs Java and vnu.jar: `make nu-checker` installs vnu-jar from npm, "
            "`apt-get install -y default-jre-headless` installs Java."
        )
    result = subprocess.run(
        [java, "-jar", str(NU_CHECKER), "--errors-only", "--format", "json", "--exit-zero-always", "--stdout"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    return [
        message for message in messages if message["type"] == "error" or message.get("subType") == "fatal"
    ]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--force", stdout=io.StringIO())


def _pages(role: str):
    username = ROLES[role]
    user = User.objects.get(username=username) if username else None
    return crawl(user, start=("/",) + (ENTRANCE_PAGES if user is None else ()))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_axe_violation_in_light_and_dark_at_360_and_1280(browser, live_server, demo, role):
    pages = _pages(role)
    assert len(pages) >= 8, [page.url for page in pages]
    username = ROLES[role]
    problems = []
    for scheme, width in VARIANTS:
        # The CSP forbids inline scripts; axe is injected as one, so this context bypasses it.
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            base_url=live_server.url,
            color_scheme=scheme,
            bypass_csp=True,
        )
        if username:
            context.add_cookies([_session_cookie(User.objects.get(username=username), live_server.url)])
        page = context.new_page()
        page.set_default_timeout(15_000)
        for crawled in pages:
            page.goto(crawled.url, wait_until="load")
            for violation in axe_violations(page):
                problems.append(
                    f"{crawled.url} [{scheme} {width}px] {violation['id']} ({violation['impact']}): "
                    f"{violation['help']}\n      " + "\n      ".join(violation["nodes"])
                )
        context.close()
    assert not problems, f"{len(problems)} axe violations on {role}'s pages:\n" + "\n".join(problems)


def test_every_page_is_valid_html_for_the_nu_checker(demo, tmp_path):
    urls: dict[str, str] = {}
    for role in ROLES:
        for index, crawled in enumerate(_pages(role)):
            path = tmp_path / f"{role}-{index}.html"
            path.write_text(crawled.html)
            urls[path.name] = f"{role}: {crawled.url}"
    assert len(urls) >= 30, sorted(urls.values())
    errors = [
        f"{urls.get(Path(error.get('url', '')).name, error.get('url'))} line {error.get('lastLine')}: "
        f"{error['message']} «{(error.get('extract') or '').strip()[:120]}»"
        for error in nu_errors([tmp_path / name for name in urls])
    ]
    assert not errors, f"{len(errors)} Nu checker errors:\n" + "\n".join(errors)


# The gates themselves: each catches what it is there to catch (a gate that always passes proves nothing).
def test_the_axe_gate_reports_low_contrast_text_and_a_skipped_heading_level(browser):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title><main><h1>Heading</h1>'
        '<p style="color:#5a6170;background:#181c25">Muted text on a dark card (2.9:1)</p>'
        "<h3>A level skipped</h3></main></html>"
    )
    assert sorted(violation["id"] for violation in axe_violations(page)) == [
        "color-contrast",
        "heading-order",
    ]
    context.close()


def test_the_nu_gate_reports_a_time_with_microseconds(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<!doctype html><html lang="en"><title>t</title>'
        '<time datetime="2026-12-03T06:18:37.123456+00:00">today</time></html>'
    )
    errors = nu_errors([page])
    assert len(errors) == 1 and "datetime" in errors[0]["message"], errors
