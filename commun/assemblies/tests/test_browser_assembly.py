"""An assembly from its preparation to the members' answers, in Chromium, through the pages.

Alice, an officer, prepares the annual assembly, writes a resolution on its agenda and
convenes it; Bob, on a phone-sized screen, gives his proxy to Alice by her member number,
then changes his mind: on the day Alice opens the session with Bob as secretary, and Bob
signs the attendance sheet on his phone and sees the live quorum; Alice opens the vote on
the resolution, Bob votes on his phone, the projection page shows the count, Alice closes
it and the resolution shows as adopted.
Every page visited is axe-clean and nothing leaves the server.
"""

import datetime
import re

import pytest
from django.utils import timezone

from commun.assemblies.models import Assembly
from commun.conftest import category, make_member
from commun.testing.assemblies import convened
from commun.testing.browser import act_as, assert_all_local, axe_check, done

pytestmark = pytest.mark.browser


def test_an_assembly_is_prepared_convened_and_answered(page, alice, bob):
    act_as(page, alice)
    page.goto("/assemblees/")
    axe_check(page)
    page.get_by_role("link", name="Les règles des statuts").click()
    page.wait_for_url(re.compile(r"/assemblees/regles/$"))
    axe_check(page)
    page.goto("/assemblees/regles/ordinary/")
    axe_check(page)

    page.goto("/assemblees/nouvelle/")
    axe_check(page)
    page.get_by_label("Type d'assemblée").select_option("ordinary")
    page.get_by_label("Titre").fill("Assemblée générale annuelle")
    starts_at = timezone.localtime(timezone.now() + datetime.timedelta(days=20))
    page.get_by_label("Date et heure").fill(starts_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Lieu").fill("Salle des fêtes")
    page.get_by_role("button", name="Préparer").click()
    done(page, "L'assemblée est en préparation")
    axe_check(page)
    agenda = page.locator("form", has=page.get_by_role("button", name="Ajouter", exact=True))
    agenda.get_by_label("Intitulé").fill("Approbation des comptes 2026")
    agenda.get_by_label("Texte").fill("L'assemblée approuve les comptes de l'exercice 2026.")
    agenda.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("Approbation des comptes 2026").first.wait_for()
    page.get_by_role("button", name="Convoquer l'assemblée").click()
    done(page, "L'assemblée est convoquée")
    axe_check(page)
    assembly = Assembly.objects.get()
    assert assembly.phase == "convened"

    page.set_viewport_size({"width": 390, "height": 844})
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    axe_check(page)
    page.get_by_label("Pouvoir à un·e associé·e").check()
    page.get_by_label("Numéro d'associé·e qui portera votre pouvoir").fill(str(alice.number))
    page.get_by_role("button", name="Répondre").click()
    done(page, "Votre réponse est enregistrée.")
    axe_check(page)
    assert assembly.participants.get(member=bob).holder.member == alice
    page.get_by_role("link", name="La convocation, à imprimer").click()
    page.get_by_text("Approbation des comptes 2026").first.wait_for()
    axe_check(page)

    # The day comes: Alice opens the session, Bob signs in on his phone and sees the quorum.
    Assembly.objects.filter(pk=assembly.pk).update(starts_at=timezone.now())
    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_label("Numéro d'associé·e de la présidence de séance").fill(str(alice.number))
    page.get_by_label("Numéro d'associé·e du ou de la secrétaire de séance").fill(str(bob.number))
    page.get_by_role("button", name="Ouvrir la séance").click()
    done(page, "La séance est ouverte.")
    axe_check(page)
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_text("0 voix sur 1 nécessaires").wait_for()
    page.get_by_role("button", name="J'émarge").click()
    done(page, "L'émargement est enregistré.")
    page.get_by_text("1 voix sur 1 nécessaires").wait_for()
    axe_check(page)
    assert_all_local(page)

    # The quorum reached, Alice opens the vote; Bob votes on his phone; the room sees it.
    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_role("button", name="Ouvrir le vote").click()
    done(page, "Le vote est ouvert.")
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_role("button", name="Pour", exact=True).click()
    done(page, "Votre vote est enregistré.")
    page.get_by_text("Voté : Pour").wait_for()
    axe_check(page)
    page.goto(f"/assemblees/{assembly.pk}/projection/")
    page.get_by_text("Pour : 1 · contre : 0 · abstentions : 0").wait_for()
    axe_check(page)
    act_as(page, alice)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_role("button", name="Clore le vote").click()
    done(page, "Le vote est clos")
    page.get_by_text("Adoptée").first.wait_for()
    axe_check(page)
    assert_all_local(page)


def test_a_holder_votes_for_himself_and_his_principal_on_his_phone(page, alice, bob):
    gus = make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))
    assembly = convened(alice.user)
    assembly.participants.get(member=gus).answer(gus.user, "proxy", bob)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    assembly.participants.get(member=bob).check_in(bob.user)
    assembly.open_resolution(alice.user, assembly.items.get(position=1))

    page.set_viewport_size({"width": 390, "height": 844})
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    mine = page.get_by_role("group", name="Votre vote")
    mine.get_by_role("button", name="Pour", exact=True).click()
    done(page, "Votre vote est enregistré.")
    # Bob sees Gus as Gus chose to be seen by the associates.
    seen = gus.name_for(bob)
    for_gus = page.get_by_role("group", name=f"Pour {seen}, dont vous portez le pouvoir")
    for_gus.get_by_role("button", name="Contre").click()
    done(page, "Votre vote est enregistré.")
    for_gus.get_by_text("Voté : Contre").wait_for()
    axe_check(page)
    page.goto(f"/assemblees/{assembly.pk}/projection/")
    page.get_by_text("Pour : 1 · contre : 1 · abstentions : 0").wait_for()
    axe_check(page)
    assert_all_local(page)
