"""From a need to a paid mission, in Chromium, through the pages.

Bob raises a need; Gus proposes the charter's mission (a six-month CDD at 2,000 € net),
estimates its cost, saves and submits it; everyone eligible consents (Alice and Bob through
the model, Gus on the page) and Gus closes the decision: the mission is adopted and its
cost committed. Alice, an officer, records the first pay slip; the mission page shows it,
and so do the public accounts: the mission funded, its commitment and its pay booked.
Every page visited is axe-clean and nothing leaves the server.
"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from commun.budgets.models import BudgetSettings, Mission, Need
from commun.deliberation.models import Space
from commun.ledger import funds
from commun.lib import payroll
from commun.testing.browser import act_as, assert_all_local, axe_check, done, make_public
from commun.testing.budgets import CHARTER, CHARTER_COST_CENTS, draft, fund, shown, slowed_engine
from commun.testing.workers import TASKS_IN_DATABASE, run_queued_tasks

pytestmark = pytest.mark.browser


def test_a_need_becomes_a_paid_mission(page, alice, bob, gus):
    make_public(Space.objects.cooperative())
    BudgetSettings.objects.update_or_create(pk=1, defaults={"min_deliberation_days": 0})
    fund(6_000_000)

    # Bob raises a need.
    act_as(page, bob)
    page.goto("/besoins/")
    axe_check(page)
    page.get_by_role("link", name="Soulever un besoin").click()
    page.get_by_label("Titre").fill("Une billetterie maintenue")
    page.get_by_label("Description").fill("Les anomalies **s'accumulent**.")
    page.get_by_role("button", name="Publier le besoin").click()
    done(page, "Le besoin est publié")
    axe_check(page)
    need = Need.objects.get()

    # Gus proposes the charter's mission and looks at its cost first.
    act_as(page, gus)
    page.goto(need.get_absolute_url())
    page.get_by_role("button", name="Soutenir ce besoin").click()
    done(page, "Vous soutenez ce besoin.")
    page.get_by_role("link", name="Proposer une mission").click()
    page.wait_for_url(re.compile(r"/proposer-une-mission/$"))
    axe_check(page)
    page.get_by_label("Titre de la mission").fill("Maintenir la billetterie")
    page.get_by_label("Périmètre").fill("Corriger les anomalies, publier deux versions.")
    page.get_by_label("Livrables").fill("Deux versions publiées.")
    page.get_by_label("Début").fill("2026-01-01")
    page.get_by_label("Durée (mois)").fill("6")
    page.get_by_label("Forme de rémunération").select_option("salaried")
    page.get_by_label("Contrat (salariat)").select_option("cdd")
    page.get_by_label("Temps de travail, en % (salariat)").fill("100")
    page.get_by_label("Salaire mensuel en euros (salariat)").fill("2000")
    page.get_by_label("Ce salaire est (salariat)").select_option("net")
    page.get_by_role("button", name="Estimer le coût").click()
    page.get_by_text("24\u00a0403,44\u00a0€").first.wait_for()
    assert "OpenFisca-France" in page.locator("#cost").inner_text()
    axe_check(page)
    assert Mission.objects.count() == 0
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    done(page, "Votre proposition est enregistrée comme brouillon")
    axe_check(page)
    page.get_by_role("button", name="Soumettre la mission").click()
    done(page, "La mission est soumise")
    mission = Mission.objects.get()
    assert mission.full_cost_cents == CHARTER_COST_CENTS

    # Everyone eligible consents; Gus closes on the decision page.
    round = mission.decision.current_round
    round.take_stance(alice, "consent")
    round.take_stance(bob, "consent")
    page.get_by_role("link", name=re.compile(r"Mission M\d+ : Maintenir")).click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    page.get_by_label("Je consens", exact=True).check()
    page.get_by_role("button", name="Enregistrer ma position").click()
    done(page, "Votre position est enregistrée.")
    page.get_by_text("Clore la décision").click()
    page.get_by_role("button", name="Clore maintenant").click()
    done(page, "La décision est close : adoptée.")
    axe_check(page)
    mission.refresh_from_db()
    assert mission.status == "adopted"
    assert funds.committed_cents(mission.ref) == CHARTER_COST_CENTS

    # Alice records the first month's pay.
    act_as(page, alice)
    page.goto(mission.get_absolute_url())
    axe_check(page)
    form = page.locator("form", has=page.get_by_role("button", name="Enregistrer le paiement"))
    form.get_by_label("Nature").select_option("payroll")
    form.get_by_label("Date").fill("2026-01-31")
    form.get_by_label("Libellé").fill("Salaire de janvier")
    form.get_by_label("Montant en euros").fill("2564,10")
    form.get_by_label("Charges patronales en euros").fill("1000")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    done(page, "Le paiement est enregistré au grand livre.")
    main = page.locator("main").inner_text()
    assert "Salaire de janvier" in main and "3\u00a0564,10\u00a0€" in main
    axe_check(page)

    # Anyone reads it.
    page.context.clear_cookies()
    page.goto("/missions/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("Maintenir la billetterie")).click()
    assert "Salaire de janvier" in page.locator("main").inner_text()
    axe_check(page)

    # The public accounts show the mission funded and its pay booked.
    page.get_by_role("link", name="Comptes", exact=True).click()
    page.wait_for_url(re.compile(r"/comptes/$"))
    funded = page.locator("section", has=page.get_by_role("heading", name="Missions financées"))
    row = funded.get_by_role("row", name=re.compile("Maintenir la billetterie"))
    left = shown(CHARTER_COST_CENTS - 356_410)
    assert left in row.inner_text()
    axe_check(page)
    row.get_by_role("link").click()  # the mission's commitment account, transaction by transaction
    listing = page.locator("main").inner_text()
    assert f"Paie — mission {mission.ref}" in listing
    assert f"Engagement de la réserve — mission {mission.ref}" in listing
    axe_check(page)
    assert_all_local(page)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_an_objection_lowers_the_pay_and_version_2_is_what_is_committed(page, alice, bob, gus):
    """The charter's mission meets an objection on its pay: Gus amends the mission on its
    page, the decision shows both versions' terms side by side, and adoption commits the
    lower cost of version 2, which the public mission page then shows."""
    from commun.decisions.models import Decision
    from commun.lib import payroll
    from commun.testing.budgets import CHARTER, need_by

    make_public(Space.objects.cooperative())
    BudgetSettings.objects.update_or_create(pk=1, defaults={"min_deliberation_days": 0})
    fund(6_000_000)
    mission = Mission.objects.propose(gus, need_by(bob), **CHARTER).submit(gus)
    decision = Decision.objects.get(pk=mission.decision_id)
    decision.current_round.take_stance(alice, "objection", "1 800 € net suffiraient.")
    lower = payroll.salaried_cost(
        contract="cdd", monthly_net_cents=180_000, months=6, start=CHARTER["start_on"]
    ).employer_cost_cents

    # Gus takes the objection up and amends the mission, not the text.
    act_as(page, gus)
    page.goto(decision.get_absolute_url())
    page.get_by_role("button", name="Intégrer cette objection").click()
    done(page, "Vous intégrez cette objection")
    page.get_by_role("link", name="Amender la mission : rémunération, dates, périmètre").click()
    page.wait_for_url(re.compile(r"/missions/\d+/amender/$"))
    axe_check(page)
    page.get_by_label("Salaire mensuel en euros (salariat)").fill("1800")
    page.get_by_label("Ce qui change").fill("Salaire ramené à 1 800 € net.")
    page.get_by_role("button", name="Estimer le coût").click()
    page.locator("#cost").get_by_text(shown(lower)).first.wait_for()
    page.get_by_role("button", name="Publier la nouvelle version").click()
    done(page, "La version 2 de la mission est publiée")
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    terms = page.locator("table", has=page.get_by_text("Les conditions qui changent"))
    assert shown(CHARTER_COST_CENTS) in terms.inner_text() and shown(lower) in terms.inner_text()
    axe_check(page)
    page.get_by_role("button", name="Ouvrir un nouveau tour d'objections").click()
    done(page, "Le tour d'objections n°2 est ouvert")

    # Alice lifts her objection; everyone consents; Gus closes.
    decision.objections.get().resolve(alice)
    round = Decision.objects.get(pk=decision.pk).current_round
    round.take_stance(alice, "consent")
    round.take_stance(bob, "consent")
    page.reload()
    page.get_by_label("Je consens", exact=True).check()
    page.get_by_role("button", name="Enregistrer ma position").click()
    done(page, "Votre position est enregistrée.")
    page.get_by_text("Clore la décision").click()
    page.get_by_role("button", name="Clore maintenant").click()
    done(page, "La décision est close : adoptée.")
    done(page, "adoptée dans sa version 2")
    axe_check(page)
    mission.refresh_from_db()
    assert mission.committed_cents == lower == funds.committed_cents(mission.ref)

    # Anyone reads the adopted version on the mission's page.
    page.context.clear_cookies()
    page.goto(mission.get_absolute_url())
    main = page.locator("main").inner_text()
    assert shown(lower) in main and "version 2" in main
    assert shown(CHARTER_COST_CENTS) in main  # version 1, kept in the history
    axe_check(page)
    assert_all_local(page)


def test_a_slow_estimate_shows_progress_then_the_cost(page, bob, gus, settings, monkeypatch):
    """Under load (an engine that takes 2 s), « Estimer le coût » answers at once with the
    progress; the page asks again each second and shows the cost once the worker has it."""
    payroll._tax_benefit_system()  # loaded, as once the server has started
    settings.TASKS = TASKS_IN_DATABASE
    slowed_engine(monkeypatch)  # under load: each estimate takes 2 s
    need = Need.objects.raise_need(bob, title="Une billetterie maintenue", description="Bugs.")

    act_as(page, gus)
    page.goto(reverse("budgets:mission_new", args=[need.pk]))
    page.get_by_label("Titre de la mission").fill("Maintenir la billetterie")
    page.get_by_label("Périmètre").fill("Corriger les anomalies.")
    page.get_by_label("Livrables").fill("Deux versions publiées.")
    page.get_by_label("Début").fill("2026-01-01")
    page.get_by_label("Durée (mois)").fill("6")
    page.get_by_label("Forme de rémunération").select_option("salaried")
    page.get_by_label("Contrat (salariat)").select_option("cdd")
    page.get_by_label("Temps de travail, en % (salariat)").fill("100")
    page.get_by_label("Salaire mensuel en euros (salariat)").fill("2000")
    page.get_by_label("Ce salaire est (salariat)").select_option("net")
    page.get_by_role("button", name="Estimer le coût").click()
    page.get_by_text("Calcul du coût en cours").wait_for()
    assert page.get_by_role("button", name="Actualiser").is_visible()
    axe_check(page)

    assert run_queued_tasks() >= 1
    page.get_by_text("24\u00a0403,44\u00a0€").first.wait_for(timeout=10_000)
    assert "Calcul du coût en cours" not in page.locator("#cost").inner_text()
    assert_all_local(page)
    assert Mission.objects.count() == 0


def test_a_draft_page_shows_progress_then_its_cost(page, gus, settings, monkeypatch):
    """A draft opened on a day its cost is not known: its page answers at once with the
    progress, asks for the cost each second and shows it once the worker has it."""
    payroll._tax_benefit_system()  # loaded, as once the server has started
    mission = draft(gus, **CHARTER)
    cache.clear()  # a new day: the estimate is no longer known
    settings.TASKS = TASKS_IN_DATABASE
    slowed_engine(monkeypatch)  # under load: each estimate takes 2 s

    act_as(page, gus)
    page.goto(mission.get_absolute_url())
    page.get_by_text("Calcul du coût en cours").wait_for()
    assert page.get_by_role("link", name="Actualiser").is_visible()
    axe_check(page)

    assert run_queued_tasks() == 1
    page.locator("#cost").get_by_text("24\u00a0403,44\u00a0€").first.wait_for(timeout=10_000)
    assert "Calcul du coût en cours" not in page.locator("#cost").inner_text()
    assert_all_local(page)
