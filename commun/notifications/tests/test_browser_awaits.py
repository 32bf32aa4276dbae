"""« À faire » in Chromium: the login lands there, a notice is marked read in place, axe passes."""

import pytest

from commun.conftest import PASSWORD
from commun.decisions.tests.helpers import in_objection_round, opened
from commun.testing.browser import assert_all_local, axe_check

pytestmark = pytest.mark.browser


def test_a_member_lands_on_what_awaits_them_and_marks_a_notice_read(alice, bob, page):
    in_objection_round(alice, title="Acheter un serveur")
    opened(alice, "advice", title="Choisir un outil", advisors=[bob])

    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill("bob@example.org")
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url.endswith("/a-faire/")
    main = page.locator("main")
    assert "Acheter un serveur" in main.inner_text()
    assert "Vous ne vous êtes pas encore prononcé·e." in main.inner_text()
    header = page.locator("header nav")
    assert header.get_by_role("link", name="Décisions").count() == 1
    axe_check(page)

    page.get_by_role("button", name="Marquer comme lu").click()
    page.get_by_role("button", name="Marquer comme lu").wait_for(state="detached")
    assert bob.notices.get().read_at is not None
    axe_check(page)
    assert_all_local(page)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
