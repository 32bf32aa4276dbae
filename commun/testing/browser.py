"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Fixtures: `browser` (one Chromium for the session), `page` (a fresh French-speaking context
per test, `page.goto("/")` goes to the live server, every request URL is kept in
`page.requests_seen`). Helpers: `assert_all_local(page)` and `axe_check(page)`.
Playwright never downloads a browser here: Chromium comes from Debian (`make test` installs
it), and without it these tests fail rather than skip, so CI cannot pass without them.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CHROMIUM = os.getenv("COMMUN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent.parent / "static" / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}

# The live server on the IPv4 loopback, so "every request stayed on 127.0.0.1" is exact.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Mark tests that use a page, and run them last.

    Playwright's sync API leaves its event loop marked as running in the main thread, which
    would break `async_to_sync` in any test after it: browser tests go at the end.
    """
    for item in items:
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: browser tests need Debian's Chromium "
            "(apt-get install chromium; `make test` installs it when run as root).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # bodies are still synchronous, so Django's guard against async contexts is lifted.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.live_server_url = live_server.url
    page.requests_seen = []
    page.console_errors = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    yield page
    context.close()


def assert_all_local(page):
    """Every request the page made went to the live server, nowhere else."""
    server = urlsplit(page.live_server_url)
    elsewhere = []
    for url in page.requests_seen:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            continue
        if parts.hostname not in {"127.0.0.1", "localhost"} or parts.port != server.port:
            elsewhere.append(url)
    assert page.requests_seen, "the page made no request at all"
    assert not elsewhere, "requests left the live server:\n" + "\n".join(elsewhere)


def axe_check(page) -> list[dict]:
    """Run axe-core on the page; fail on any serious or critical violation, return them all."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make vendor`.", pytrace=False)
    # evaluate() runs as the debugger, outside the page's Content Security Policy.
    page.evaluate(AXE.read_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    violations = results["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core found {len(blocking)} serious violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {' '.join(map(str, node['target']))}")
                summary = node.get("failureSummary", "").replace("\n", " ")
                if summary:
                    lines.append(f"       {summary}")
        pytest.fail("\n".join(lines), pytrace=False)
    return violations


def act_as(page, member):
    """Swap the browser's session for one of `member` (a real session, made by Django,
    through their second factor if they have one)."""
    from commun.conftest import client_for  # this plugin loads before Django is set up

    client = client_for(member.user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.live_server_url,
            }
        ]
    )


def done(page, text: str):
    """Wait for an action's confirmation (htmx swap or redirect with a message)."""
    page.get_by_text(text).first.wait_for()


def make_public(space) -> None:
    """Open a deliberation space to visitors, as its settings would."""
    space.__class__.objects.filter(pk=space.pk).update(visibility=space.Visibility.PUBLIC)
