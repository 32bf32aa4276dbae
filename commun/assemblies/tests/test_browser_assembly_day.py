"""The day's page parts in Chromium: an advance vote, a secret vote on a phone with its
receipt, an amendment admitted then voted, an election, the minutes confirmed then their
PDF.

Alice, an officer, chairs; Bob is the secretary and votes on his phone. Each test builds
what comes before its part through the models and drives that part through the pages; each
page visited is axe-clean and nothing leaves the server.
"""

import re

import pytest

from commun.assemblies import elections
from commun.assemblies.ballots import AdvanceVote, SecretBallot
from commun.assemblies.models import AgendaItem, Assembly
from commun.testing.assemblies import convened, draft, in_session, vote_on
from commun.testing.browser import act_as, assert_all_local, axe_check, done

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def opened(assembly: Assembly, alice, bob) -> Assembly:
    """Convene `assembly`, open its session (Alice chairs, Bob writes) and sign both in."""
    assembly.convene(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob):
        assembly.participants.get(member=member).check_in(member.user)
    return assembly


def test_a_member_votes_in_advance(page, alice, bob):
    assembly = convened(alice.user, advance_votes_count=True)
    page.set_viewport_size(PHONE)
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_label("Vote par correspondance ou en ligne").check()
    page.get_by_role("button", name="Répondre").click()
    done(page, "Votre réponse est enregistrée.")
    ballot = page.get_by_role("group", name="Approbation des comptes")
    ballot.get_by_role("button", name="Contre").click()
    done(page, "Votre vote avant la séance est enregistré.")
    page.get_by_role("group", name="Approbation des comptes").get_by_text(
        "Voté : Contre"
    ).wait_for()
    axe_check(page)
    assert_all_local(page)
    assert list(AdvanceVote.objects.values_list("participant__member", "choice")) == [
        (bob.pk, "no")
    ]


def test_a_secret_vote_cast_on_a_phone_shows_its_receipt(page, alice, bob):
    assembly = draft(alice.user)
    assembly.add_item(
        alice.user, AgendaItem.Kind.RESOLUTION, "Exclusion", "L'assemblée exclut…", secret=True
    )
    opened(assembly, alice, bob)
    assembly.open_resolution(alice.user, assembly.items.get(position=2))
    page.set_viewport_size(PHONE)
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_text("Vote à bulletin secret : votre choix va dans l'urne").wait_for()
    page.get_by_role("group", name="Votre vote").get_by_role("button", name="Pour").click()
    done(page, "Gardez ce reçu pour l'y retrouver")
    receipt = SecretBallot.objects.get().receipt
    page.get_by_text(receipt).wait_for()
    page.get_by_role("group", name="Votre vote").get_by_text("Votre bulletin est dans").wait_for()
    axe_check(page)
    page.goto(f"/assemblees/{assembly.pk}/projection/")
    page.get_by_text("Vote à bulletin secret : 1 bulletin dans l'urne").wait_for()
    axe_check(page)
    assert_all_local(page)


def test_the_chair_admits_an_amendment_and_the_floor_votes_it(page, alice, bob):
    assembly = in_session(alice.user, alice, bob, alice, bob)
    page.set_viewport_size(PHONE)
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_text("Proposer un amendement").click()
    page.get_by_label("Le texte que vous proposez pour cette résolution").fill(
        "L'assemblée approuve les comptes et remercie l'équipe."
    )
    page.get_by_role("button", name="Proposer", exact=True).click()
    done(page, "Votre amendement est proposé")
    axe_check(page)

    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_role("button", name="Admettre au vote").click()
    done(page, "L'amendement est admis")
    amendment = page.locator("ol.agenda > li", has_text="Amendement admis au vote")
    amendment.get_by_role("button", name="Ouvrir le vote").click()
    done(page, "Le vote est ouvert.")
    axe_check(page)

    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_text("remercie l'équipe").first.wait_for()
    page.get_by_role("group", name="Votre vote").get_by_role("button", name="Pour").click()
    done(page, "Votre vote est enregistré.")
    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_role("group", name="Votre vote").get_by_role("button", name="Pour").click()
    done(page, "Votre vote est enregistré.")
    page.get_by_role("button", name="Clore le vote").click()
    done(page, "Le vote est clos")
    axe_check(page)
    assert_all_local(page)
    voted = assembly.items.get(amends__isnull=False)
    assert (voted.status, voted.adopted) == (AgendaItem.Status.CLOSED, True)


def test_an_election_with_candidates(page, alice, bob):
    assembly = draft(alice.user)
    elections.add_election(alice.user, assembly, "Conseil d'administration", 1, "majority")
    page.set_viewport_size(PHONE)
    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    for member in (alice, bob):
        page.get_by_label("Ajouter une candidature (numéro d'associé·e)").fill(str(member.number))
        page.get_by_role("button", name="Ajouter la candidature").click()
        done(page, "La candidature est enregistrée.")
        page.get_by_text(f"(n° {member.number})").wait_for()
    axe_check(page)
    opened(assembly, alice, bob)
    assembly.open_resolution(alice.user, assembly.items.get(kind=AgendaItem.Kind.ELECTION))

    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    mine = page.get_by_role("group", name="Votre vote")
    mine.get_by_role("checkbox").nth(1).check()
    mine.get_by_role("button", name="Déposer mon bulletin").click()
    done(page, "Gardez ce reçu pour l'y retrouver")
    axe_check(page)
    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_role("button", name="Clore le vote").click()
    done(page, "Le vote est clos")
    page.get_by_text("1 bulletin exprimé").wait_for()
    page.get_by_role("row", name=re.compile("Élu·e")).wait_for()
    axe_check(page)
    assert_all_local(page)


def test_the_minutes_confirmed_by_the_chair_and_the_secretary_then_their_pdf(page, alice, bob):
    assembly = in_session(alice.user, alice, bob, alice, bob)
    vote_on(assembly, alice, 1, {alice: "yes", bob: "yes"})
    assembly.close_session(alice.user)
    minutes = f"/assemblees/{assembly.pk}/proces-verbal/"
    act_as(page, alice)
    page.goto(minutes)
    axe_check(page)
    page.get_by_role("button", name="Je confirme ce procès-verbal").click()
    done(page, "Votre confirmation est enregistrée.")
    act_as(page, bob)
    page.goto(minutes)
    page.get_by_role("button", name="Je confirme ce procès-verbal").click()
    done(page, "Le procès-verbal est arrêté et publié.")
    axe_check(page)
    link = page.get_by_role("link", name="Le procès-verbal en PDF")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert_all_local(page)
