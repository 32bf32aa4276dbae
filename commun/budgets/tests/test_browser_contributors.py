"""Co-remuneration in Chromium: Bob pays Gus on his draft mission too, through the page.

Bob's draft invoices 1,000 €; he adds Gus, co-remunerated for 10 hours at 50 €, by Gus's
member number; the page then lists both, with the mission's cost of 1,500 €; editing his
draft, the cost preview lists both and the total; he changes Gus's hours, then takes Gus
off. Every page is axe-clean and nothing leaves the server.
"""

import re

import pytest

from commun.budgets.models import MissionContributor
from commun.testing.browser import act_as, assert_all_local, axe_check, done
from commun.testing.budgets import draft, invoice

pytestmark = pytest.mark.browser


def test_the_proposer_pays_another_member_on_the_draft(page, bob, gus):
    mission = draft(bob, **invoice(100_000))

    act_as(page, bob)
    page.goto(mission.get_absolute_url())
    form = page.locator("#contributors form").last
    form.get_by_label("Numéro d'associé·e de la personne qui contribue").fill(str(gus.number))
    form.get_by_label("Forme de rémunération").select_option("co_remuneration")
    form.get_by_label("Heures prévues (co-rémunération)").fill("10")
    form.get_by_label("Taux horaire en euros (co-rémunération)").fill("50")
    form.get_by_role("button", name="Ajouter cette personne").click()
    done(page, "contribue à la mission.")
    axe_check(page)
    assert_all_local(page)
    contributors = page.locator("#contributors table").inner_text()
    assert "10 h prévues" in contributors and "500\u00a0€" in contributors
    assert "1\u00a0500\u00a0€" in page.locator("#cost-title + p").inner_text()

    # Editing the draft, a new invoice of 2,000 € is previewed as it is typed (htmx): Bob's
    # 2,000 €, Gus's 500 € and the total of 2,500 €.
    page.get_by_role("link", name="Modifier le brouillon").click()
    page.get_by_label("Montant en euros (HT pour une facture, estimé pour des frais)").fill("2000")
    page.get_by_label("Montant en euros (HT pour une facture, estimé pour des frais)").press("Tab")
    paid = page.locator("#cost table").first
    paid.get_by_text("2\u00a0500\u00a0€").wait_for()
    assert "500\u00a0€" in paid.inner_text() and "10 h prévues" in paid.inner_text()
    axe_check(page)
    page.get_by_role("link", name="Annuler").click()

    page.get_by_role("link", name="Modifier la rémunération de").click()
    axe_check(page)
    page.get_by_label("Heures prévues (co-rémunération)").fill("12")
    page.get_by_role("button", name="Enregistrer").click()
    done(page, "La rémunération de cette personne est modifiée.")
    assert MissionContributor.objects.get().estimated_hours == 12

    page.get_by_role("button", name=re.compile(r"^Retirer .")).click()
    done(page, "Cette personne ne contribue plus à la mission.")
    assert not MissionContributor.objects.exists()
