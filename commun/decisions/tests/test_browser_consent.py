"""A consent decision from proposal to adoption, in Chromium, through the pages only.

Bob (A) raises a proposal in a thread; Gus (B) objects; Bob integrates the objection into
a new version and opens a new round; Gus lifts his objection and consents; Bob consents and
closes: the decision is adopted. Every page visited is axe-clean and nothing leaves the
server.
"""

import re

import pytest

from commun.decisions.models import Decision, Objection
from commun.deliberation.models import Space
from commun.testing.browser import act_as, assert_all_local, axe_check, done, make_public
from commun.testing.decisions import opened

pytestmark = pytest.mark.browser


def test_a_proposal_is_objected_to_integrated_and_adopted(page, bob, gus):
    thread = Space.objects.cooperative().start_thread(
        bob, "Notre hébergement", "Faut-il un serveur à nous ?"
    )

    # A raises a proposal from the thread.
    act_as(page, bob)
    page.goto(thread.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name="Proposer une décision").click()
    page.wait_for_url(re.compile(r"/proposer-une-decision/$"))
    axe_check(page)
    page.get_by_label("Titre").fill("Acheter un serveur")
    page.get_by_label("La proposition").fill("Nous achetons un **serveur neuf**.")
    page.get_by_label("Consentement").check()
    page.get_by_label("Durée minimale de délibération (en jours)").fill("0")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    decision = Decision.objects.get()
    axe_check(page)

    page.get_by_role("button", name="Ouvrir la décision").click()
    done(page, "La décision est ouverte")
    page.get_by_role("button", name="Passer aux réactions").click()
    done(page, "Étape suivante : Réactions.")
    page.get_by_role("button", name="Ouvrir le tour d'objections").click()
    done(page, "Étape suivante : Tour d'objections.")
    axe_check(page)
    decision.refresh_from_db()
    assert decision.phase == Decision.Phase.OBJECTIONS

    # B objects, with a reason.
    act_as(page, gus)
    page.goto(decision.get_absolute_url())
    page.get_by_label("J'objecte").check()
    page.get_by_label("Pourquoi ? (obligatoire pour une objection)").fill(
        "Un serveur neuf coûte trop cher cette année."
    )
    page.get_by_role("button", name="Enregistrer ma position").click()
    done(page, "Votre position est enregistrée.")
    axe_check(page)
    objection = Objection.objects.get()

    # A integrates the objection into a new version and starts a new round.
    act_as(page, bob)
    page.goto(decision.get_absolute_url())
    assert "Un serveur neuf coûte trop cher cette année." in page.locator("main").inner_text()
    page.get_by_role("button", name="Intégrer cette objection").click()
    done(page, "Vous intégrez cette objection")
    page.get_by_text("Amender la proposition").click()
    amend = page.locator("#amend")
    amend.get_by_label("La proposition", exact=True).fill(
        "Nous achetons un **serveur d'occasion**."
    )
    amend.get_by_label("Ce qui change").fill("D'occasion, pour le prix.")
    amend.get_by_label(re.compile(r"Objection de ")).check()
    page.get_by_role("button", name="Publier la nouvelle version").click()
    done(page, "La version 2 de la proposition est publiée.")
    axe_check(page)
    page.get_by_role("button", name="Ouvrir un nouveau tour d'objections").click()
    done(page, "Le tour d'objections n°2 est ouvert")
    page.get_by_text("Les changements depuis la version 1").click()
    assert page.locator(".diff ins").count() >= 1
    axe_check(page)

    # B says the new version answers the objection, and consents.
    act_as(page, gus)
    page.goto(decision.get_absolute_url())
    page.get_by_role("button", name=re.compile("je lève mon objection")).click()
    done(page, "Votre objection est levée")
    page.get_by_label("Je consens", exact=True).check()
    page.get_by_role("button", name="Enregistrer ma position").click()
    done(page, "Votre position est enregistrée.")
    axe_check(page)

    # A consents too, then closes: everyone eligible has spoken.
    act_as(page, bob)
    page.goto(decision.get_absolute_url())
    page.get_by_label("Je consens", exact=True).check()
    page.get_by_role("button", name="Enregistrer ma position").click()
    done(page, "Votre position est enregistrée.")
    page.get_by_text("Clore la décision").click()
    page.get_by_label("Énoncé de la décision").fill("Nous achetons un serveur d'occasion.")
    page.get_by_role("button", name="Clore maintenant").click()
    done(page, "La décision est close : adoptée.")
    axe_check(page)

    decision.refresh_from_db()
    objection.refresh_from_db()
    assert (decision.phase, decision.outcome) == (Decision.Phase.CLOSED, Decision.Outcome.ADOPTED)
    assert objection.status == Objection.Status.RESOLVED
    assert objection.integrated_in.number == 2
    assert decision.versions.count() == 2

    page.goto("/decisions/")
    assert "Acheter un serveur" in page.locator("main").inner_text()
    axe_check(page)
    assert_all_local(page)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_a_secret_ranked_vote_gives_a_receipt_found_in_the_published_box(page, bob, gus):
    decision = opened(bob, "ranked", is_secret=True, options=["Alpha", "Bêta", "Gamma"])
    act_as(page, gus)
    page.goto(decision.get_absolute_url())
    assert "reste caché jusqu'à la clôture" in page.locator("main").inner_text()
    axe_check(page)

    page.get_by_label("Bêta").select_option("1")
    page.get_by_label("Alpha").select_option("2")
    page.once("dialog", lambda dialog: dialog.accept())  # "a secret vote cannot be changed"
    page.get_by_role("button", name="Voter à bulletin secret").click()
    receipt = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", receipt)
    axe_check(page)

    page.get_by_role("link", name="Retrouver mon bulletin dans l'urne").click()
    done(page, "Votre bulletin est dans l'urne")
    page.get_by_role("button", name="Vérifier toute la chaîne").click()
    done(page, "La chaîne est intacte")
    assert receipt in page.locator("main").inner_text()
    axe_check(page)

    page.goto(decision.get_absolute_url())
    assert "Vous avez voté" in page.locator("main").inner_text()
    assert receipt not in page.content()
    assert_all_local(page)


def test_a_visitor_reads_the_register_and_a_public_vote(page, bob, gus):
    make_public(Space.objects.cooperative())
    decision = opened(bob, "yes_no", title="Adhérer au réseau", visibility="public")
    decision.current_round.take_stance(gus, "yes")

    page.goto("/decisions/")
    axe_check(page)
    page.get_by_role("link", name="Adhérer au réseau").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    assert "Le décompte en cours" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Voter").count() == 0
    axe_check(page)
    assert_all_local(page)
