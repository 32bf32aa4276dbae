"""The public accounts in Debian's Chromium: charts drawn, accessible, all local, no CSP error."""

import pytest

from commun.ledger import demo
from commun.testing.browser import act_as, assert_all_local, axe_check

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


PHONE = {"width": 390, "height": 844}

# Every chart text that leaves its SVG's box or the viewport, with where it ends.
CHART_TEXTS_OUTSIDE = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll("text")) {
      const r = text.getBoundingClientRect();
      if (r.left < Math.max(box.left, 0) - 1 || r.right > Math.min(box.right, innerWidth) + 1) {
        out.push(`${text.textContent}: ${Math.round(r.left)}–${Math.round(r.right)}`);
      }
    }
  }
  return out;
}"""


def test_the_public_accounts_read_well_on_a_phone(page, coop, alice):
    demo.load()
    act_as(page, alice)  # an officer: the longest header menu
    page.set_viewport_size(PHONE)

    for url in ("/comptes/", "/comptes/?year=2025"):
        page.goto(url)
        scroll_width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert scroll_width <= PHONE["width"], url
        assert page.evaluate(CHART_TEXTS_OUTSIDE) == [], url
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= PHONE["height"] / 4, (url, header)
        axe_check(page)

    closed = page.locator("#closed-title ~ .table-wrap")
    assert closed.get_attribute("role") == "region"
    assert closed.get_attribute("aria-labelledby") == "closed-title"
    assert closed.get_attribute("tabindex") == "0"
    assert page.evaluate(
        "() => { const w = document.querySelector('#closed-title ~ .table-wrap');"
        " return w.scrollWidth > w.clientWidth; }"
    ), "the closed years' table should be wider than a phone"
    hint = page.locator("#closed-title ~ .scroll-hint")
    assert "faites défiler" in hint.inner_text()
    assert hint.is_visible()
    closed.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('#closed-title ~ .table-wrap').scrollLeft > 0"
    )
    assert not page.console_errors, page.console_errors


def test_the_header_menu_folds_on_a_phone_and_opens_without_javascript(browser, live_server, coop):
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    page.goto("/comptes/")
    accounts = page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Comptes"
    )
    assert not accounts.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert accounts.is_visible()
    context.close()


def test_the_header_menu_stays_open_on_a_desktop(page, coop):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/comptes/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert nav.get_by_role("link", name="Comptes").is_visible()
    assert not page.get_by_text("Menu", exact=True).is_visible()
