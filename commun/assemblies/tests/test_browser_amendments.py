"""Amendments and the minutes' confirmations, in Chromium, through the pages.

Bob, on a phone-sized screen, proposes the resolution's own text as an amendment: the
refusal shows under the resolution with what he typed; he proposes another text, which
the chair, Alice, sees listed under the resolution. After the session Alice confirms the
minutes; her name then shows in them, and Bob's confirmation is refused until she reads and
confirms the new draft. Every page visited is axe-clean and nothing leaves the server.
"""

import re

import pytest

from commun.assemblies.models import Minutes
from commun.members.models import Member
from commun.testing.assemblies import in_session, vote_on
from commun.testing.browser import act_as, assert_all_local, axe_check, done

pytestmark = pytest.mark.browser


def test_an_amendment_refused_then_proposed_and_the_minutes_confirmed_again(page, alice, bob):
    assembly = in_session(alice.user, alice, bob, alice, bob)
    resolution = assembly.items.get(position=1)

    page.set_viewport_size({"width": 390, "height": 844})
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_text("Proposer un amendement").click()
    field = page.get_by_label("Le texte que vous proposez pour cette résolution")
    field.fill(resolution.text)
    page.get_by_role("button", name="Proposer", exact=True).click()
    page.get_by_text("Proposez un texte différent de la résolution.").wait_for()
    assert field.input_value() == resolution.text
    axe_check(page)
    field.fill("L'assemblée approuve les comptes et affecte tout aux réserves.")
    page.get_by_role("button", name="Proposer", exact=True).click()
    done(page, "Votre amendement est proposé")
    axe_check(page)

    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    agenda = page.locator("ol.agenda > li")
    assert re.search("Amendement n° 1", agenda.nth(1).inner_text())
    page.get_by_role("button", name="Refuser l'amendement").click()
    done(page, "L'amendement est refusé.")
    vote_on(assembly, alice, 1, {alice: "yes", bob: "yes"})
    assembly.close_session(alice.user)

    page.goto(f"/assemblees/{assembly.pk}/proces-verbal/")
    page.get_by_role("button", name="Je confirme ce procès-verbal").click()
    done(page, "Votre confirmation est enregistrée.")
    Member.objects.filter(pk=alice.pk).update(public_visibility="name")
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/proces-verbal/")
    page.get_by_text("Le projet a changé depuis la dernière confirmation").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Je confirme ce procès-verbal").click()
    page.get_by_text("doit le relire et le confirmer à nouveau").first.wait_for()
    axe_check(page)
    assert Minutes.objects.get().frozen_at is None
    assert_all_local(page)
