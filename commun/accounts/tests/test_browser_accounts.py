"""The account pages in Chromium: accessible, local only, and allauth's scripts obey the CSP."""

import pytest

from commun.conftest import PASSWORD
from commun.testing.browser import assert_all_local, axe_check

pytestmark = pytest.mark.browser


def no_csp_violation(page):
    return not [e for e in page.console_errors if "Content Security Policy" in e]


def log_in(page, email: str):
    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("path", ["/compte/signup/", "/compte/password/reset/"])
def test_entrance_pages_are_accessible_and_local(coop, page, path):
    assert page.goto(path).status == 200
    axe_check(page)
    assert_all_local(page)
    assert no_csp_violation(page)


def test_a_member_reaches_every_security_page_without_a_csp_violation(bob, page):
    log_in(page, "bob@example.org")
    page.goto("/compte/2fa/totp/activate/")  # allauth asks for the password again first
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert (
        page.locator("main h1").inner_text().strip() == "Activer l'application d'authentification"
    )

    for path in [
        "/compte/2fa/totp/activate/",
        "/compte/2fa/webauthn/add/",
        "/compte/2fa/",
        "/compte/email/",
        "/compte/jetons/",
        "/compte/",
    ]:
        assert page.goto(path).status == 200, path
        axe_check(page)
        assert_all_local(page)
    assert no_csp_violation(page)
    # allauth's WebAuthn script ran under the nonce: it defined its form handlers.
    page.goto("/compte/2fa/webauthn/add/")
    assert page.evaluate("() => typeof window.allauth.webauthn.forms.addForm === 'function'")
    assert no_csp_violation(page)
