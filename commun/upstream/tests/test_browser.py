"""In Chromium: the public pages of giving back, and an officer recording a payment.

Every page visited is axe-clean, and nothing leaves the server.
"""

import re

import pytest

from commun.testing.browser import act_as, assert_all_local, axe_check
from commun.testing.upstream import closed_split, fill_fund, projects
from commun.upstream.models import Gift

pytestmark = pytest.mark.browser


def test_visitors_read_what_was_given_and_an_officer_pays_a_gift(page, alice, bob):
    projects()
    fill_fund(100_000)
    split = closed_split(
        alice, [(alice, {"Django": 60, "PostgreSQL": 40}), (bob, {"Django": 100})], 60_000
    )
    django = split.gifts.get(project__name="Django")

    page.goto("/communs-amont/")
    axe_check(page)
    page.get_by_role("heading", name="Le fonds").wait_for()
    assert re.search(r"1\s000\s€", page.locator("#main").inner_text())  # the fund
    page.get_by_role("link", name=f"Répartition n°{split.pk}").click()
    page.wait_for_url(re.compile(r"/repartitions/\d+/$"))
    axe_check(page)
    assert page.get_by_role("link", name=re.compile("Voir la décision")).count() == 1

    page.goto("/communs-amont/dons/")
    axe_check(page)
    page.get_by_text("Aucun don n'a encore été versé.").first.wait_for()

    act_as(page, alice)
    page.goto(split.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name="Verser le don à Django").click()
    page.wait_for_url(re.compile(r"/verser/$"))
    axe_check(page)
    page.get_by_label("Date du versement").fill("2026-03-02")
    page.get_by_role("button", name="Enregistrer le versement").click()
    page.get_by_text("Le versement à Django est enregistré").wait_for()

    django.refresh_from_db()
    assert django.status == Gift.Status.PAID
    page.context.clear_cookies()
    page.goto("/communs-amont/dons/")
    axe_check(page)
    row = page.get_by_role("row", name=re.compile("Django"))
    assert f"écriture n°{django.transaction.number}" in row.first.inner_text()
    page.set_viewport_size({"width": 320, "height": 640})
    axe_check(page)
    assert_all_local(page)
