"""The treasury forecast and the officers' recurring income in Debian's Chromium: the chart
drawn, the lowest month marked, accessible, all local, and readable on a phone."""

import pytest
from django.utils import timezone

from commun.budgets.cash import add_months
from commun.testing.browser import act_as, assert_all_local, axe_check
from commun.testing.budgets import adopt, fund, invoice, submitted

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_forecast_and_an_officer_adds_an_income(page, coop, alice, bob):
    fund(1_000_000)
    start = add_months(timezone.localdate().replace(day=1), 1)
    adopt(submitted(bob, **invoice(300_000, start_on=start, duration_months=3)), alice)

    page.goto("/tresorerie/")

    assert page.get_by_role("heading", level=1).inner_text() == "Trésorerie prévue"
    chart = page.get_by_role("img", name="Trésorerie prévue à la fin de chaque mois")
    assert chart.is_visible() and chart.bounding_box()["height"] > 100
    assert page.locator("tr.lowest").count() == 1
    axe_check(page)
    assert_all_local(page)
    assert not page.console_errors, page.console_errors
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 330

    act_as(page, alice)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/tresorerie/recettes/")
    page.get_by_label("Libellé").fill("Adhésions")
    page.get_by_label("Montant de chaque échéance en euros").fill("1 200")
    page.get_by_label("Première échéance").fill(start.isoformat())
    page.get_by_role("button", name="Ajouter").click()

    assert page.get_by_role("row", name="Adhésions").is_visible()
    axe_check(page)
    assert not page.console_errors, page.console_errors
