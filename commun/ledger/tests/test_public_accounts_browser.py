"""The public accounts in Debian's Chromium: charts drawn, accessible, all local, no CSP error."""

import pytest

from commun.ledger import demo
from commun.testing.browser import assert_all_local, axe_check

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_public_accounts_and_their_charts(page, coop, alice):
    demo.load()

    page.goto("/comptes/?year=2025")

    assert page.get_by_role("heading", level=1).inner_text() == "Comptes publics"
    chart = page.get_by_role("img", name="Recettes et dépenses 2025 par mois")
    assert chart.is_visible()
    assert chart.bounding_box()["height"] > 100
    page.get_by_text("Les chiffres en tableau").first.click()
    assert page.get_by_role("table").first.is_visible()
    axe_check(page)
    assert_all_local(page)
    assert not page.console_errors, page.console_errors

    page.set_viewport_size({"width": 320, "height": 640})
    page.get_by_role("link", name="Parcourir les écritures").click()
    page.wait_for_url("**/comptes/ecritures/")
    axe_check(page)
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= 330
