"""Playwright in Debian's Chromium against Django's live server. Run with `make test-browser`."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts"))


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright_loop():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (never `playwright install`)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _session_cookie(user, url: str) -> dict:
    """A logged-in session for `user`, as a cookie for the live server (skips the login form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies) at a given width; closes them all at the end.

    `user=` starts the context logged in as that user; `java_script_enabled=False` turns scripts off;
    `color_scheme="dark"` asks for dark mode.
    `page.console_errors` collects console errors and uncaught exceptions (CSP violations among them).
    """
    contexts = []

    def open_page(
        width: int = 1280, *, user=None, java_script_enabled: bool = True, color_scheme: str = "light"
    ):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            base_url=live_server.url,
            java_script_enabled=java_script_enabled,
            color_scheme=color_scheme,
        )
        contexts.append(context)
        if user is not None:
            context.add_cookies([_session_cookie(user, live_server.url)])
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and errors.append(f"{message.text} (on {message.location['url'] or page.url})")
            ),
        )
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        page.console_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            # caret="initial": hiding the caret leaves style="" on inputs, which htmx's settle step
            # then copies onto swapped-in elements, and the CSP reports that as a console error.
            page.screenshot(
                path=str(SCREENSHOTS / f"{name}-{width}.png"),
                full_page=True,
                caret="initial",
                animations="disabled",
            )
        page.set_viewport_size({"width": 1280, "height": 900})

    return take
