"""The public pages load in a real browser, accessibly, from 127.0.0.1 only."""

import pytest

from commun.testing.browser import assert_all_local, axe_check

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/", "Les Communs du Test"), ("/charte/", "Charte"), ("/compte/login/", None)],
)
def test_a_public_page_loads_accessibly_from_the_live_server_only(coop, page, path, heading):
    response = page.goto(path)

    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("main h1").count() >= 1
    if heading:
        assert heading in page.locator("main").inner_text()
    axe_check(page)
    assert_all_local(page)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_htmx_is_served_locally_and_runs(coop, page):
    page.goto("/")

    assert page.evaluate("() => typeof htmx === 'object' && htmx.version.startsWith('2.')")
    assert any(url.endswith("/static/vendor/htmx.min.js") for url in page.requests_seen)
