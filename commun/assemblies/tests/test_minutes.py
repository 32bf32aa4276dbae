"""The minutes: written from what happened, the same every time; confirmed by the chair and
the secretary, then frozen, chained in the journal, published and listed in the register.

Alice (an officer, contributors' college) chairs, Bob (users') is the secretary, Gus
(users') and Fé (founders') are members; the colleges weigh 40 / 30 / 30 and the vote goes
by weighted colleges.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from commun.assemblies import minutes
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Minutes
from commun.conftest import category, client_for, make_member
from commun.ledger.models import JournalEntry
from commun.members.models import Member
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft, vote_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def fe(coop):
    return make_member("fe@example.org", "Fé", "Roux", category("Responsables"), shares=2)


@pytest.fixture
def held(alice, bob, gus, fe) -> Assembly:
    """A session held: two resolutions voted, an incident, Fé's proxy to Gus, closed."""
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, weighted_by_college=True)
    assembly = draft(alice.user)
    assembly.add_item(alice.user, AgendaItem.Kind.INFORMATION, "Rapport de gestion", "Lu.")
    assembly.add_item(alice.user, AgendaItem.Kind.RESOLUTION, "Budget 2027", "Le budget…")
    assembly.convene(alice.user)
    assembly.participants.get(member=fe).answer(fe.user, "proxy", gus)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob, gus):
        assembly.participants.get(member=member).check_in(member.user)
    vote_on(assembly, alice, 1, {alice: "yes", bob: "no", gus: "yes"})
    item = assembly.items.get(position=3)
    assembly.open_resolution(alice.user, item)
    item.vote(gus.user, "no", principal=fe)
    item.vote(alice.user, "no")
    item.close_vote(alice.user)
    later = assembly.starts_at + datetime.timedelta(minutes=42)
    assembly.record_incident(bob.user, "Gus quitte la séance après la résolution n°3.", now=later)
    assembly.close_session(alice.user, now=assembly.starts_at + datetime.timedelta(hours=2))
    return assembly


def test_the_minutes_say_what_happened(held, alice, bob):
    Member.objects.filter(pk=alice.pk).update(public_visibility="name")
    text = minutes.text(held)
    assert "Bob Durand" not in text

    for said in (
        "Procès-verbal de l'assemblée générale ordinaire",
        "Salle des fêtes, 1 rue des Communs",
        f"Présidence de séance : Alice Martin (n° {alice.number})",
        # Bob shows the public nothing of himself: the minutes, which may be published,
        # give his number alone.
        f"Secrétaire : associé·e n° {bob.number}",
        "| Fondateur·ices | 1 | 0 | 0 | 1 | 0 |",
        "| Usager·es | 2 | 2 | 0 | 0 | 0 |",
        "| Total | 4 | 3 | 0 | 1 | 0 |",
        "Quorum : 4 voix sur 1 nécessaires — atteint.",
        "Résolution n°1 : Approbation des comptes",
        "Pour : 2, contre : 1, abstentions : 0",
        "Usager·es (30 %) — pour : 1, contre : 1, abstentions : 0",
        "Part pondérée des voix pour : 75,00 %",
        "La résolution est adoptée.",
        "Point d'information n°2 : Rapport de gestion",
        "Fondateur·ices (40 %) — pour : 0, contre : 1, abstentions : 0",
        "La résolution est rejetée.",
        "Gus quitte la séance après la résolution n°3.",
    ):
        assert said in text, said


def test_the_same_assembly_always_yields_the_same_text(held, alice):
    first = minutes.text(held)
    assert minutes.text(Assembly.objects.get(pk=held.pk)) == first

    make_member("new@example.org", "Néo", "Vu", category("Partenaires"))
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, majority="2/3", notice_days=10)
    draft(alice.user, title="Une autre assemblée")

    assert minutes.text(Assembly.objects.get(pk=held.pk)) == first


def test_the_chair_and_the_secretary_confirm_then_the_minutes_freeze(held, alice, bob, gus):
    with pytest.raises(PermissionDenied):
        held.confirm_minutes(gus.user)
    first = held.confirm_minutes(alice.user)
    assert first.frozen_at is None and held.phase == "closed"
    with pytest.raises(ValidationError, match="déjà confirmé"):
        held.confirm_minutes(alice.user)

    frozen = held.confirm_minutes(bob.user)

    assert held.phase == "minutes_frozen"
    assert frozen.text == minutes.text(held)
    assert frozen.sha256 == minutes.digest(frozen.text)
    entry = JournalEntry.objects.get(kind="assembly_minutes")
    assert frozen.sha256 in entry.payload_json
    call_command("verify", books=True, stdout=None)


def test_nothing_about_the_assembly_changes_once_frozen(held, alice, bob, gus):
    held.confirm_minutes(alice.user)
    held.confirm_minutes(bob.user)
    item = held.items.get(position=1)
    row = held.participants.get(member=gus)
    for attempt in (
        lambda: item.vote(gus.user, "no"),
        lambda: row.check_in(alice.user),
        lambda: held.record_incident(bob.user, "Ajout"),
        lambda: held.add_item(alice.user, "information", "Ajout"),
        lambda: held.open_resolution(alice.user, item),
        lambda: item.close_vote(alice.user),
        lambda: held.close_session(alice.user),
        lambda: held.confirm_minutes(alice.user),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert Minutes.objects.get().text == minutes.text(held)


def test_verify_catches_frozen_minutes_altered_in_the_database(held, alice, bob):
    held.confirm_minutes(alice.user)
    held.confirm_minutes(bob.user)
    Minutes.objects.update(text=Minutes.objects.get().text.replace("rejetée", "adoptée"))

    with pytest.raises(CommandError, match="procès-verbal"):
        call_command("verify", books=True)


def test_the_pages_the_pdf_and_the_register(held, alice, bob, gus):
    page = client_for(gus.user).get(f"/assemblees/{held.pk}/proces-verbal/")
    assert page.status_code == 200 and "Projet de procès-verbal" in page.text
    assert "Je confirme" not in page.text
    assert (
        client_for(gus.user).post(f"/assemblees/{held.pk}/proces-verbal/confirmer/").status_code
        == 403
    )
    assert Client().get(f"/assemblees/{held.pk}/proces-verbal/").status_code == 404
    for person in (alice, bob):
        confirmed = client_for(person.user).post(f"/assemblees/{held.pk}/proces-verbal/confirmer/")
        assert confirmed.status_code == 302

    frozen = client_for(gus.user).get(f"/assemblees/{held.pk}/proces-verbal/")
    assert Minutes.objects.get().sha256 in frozen.text
    document = client_for(gus.user).get(f"/assemblees/{held.pk}/proces-verbal.pdf")
    assert document["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    register = client_for(gus.user).get("/assemblees/registre/")
    assert held.title in register.text
    assert Client().get(f"/assemblees/{held.pk}/proces-verbal/").status_code == 404

    # Publishing minutes later publishes nothing retroactively: people took part in this
    # assembly under the rules of its convocation.
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, minutes_public=True)
    assert Client().get(f"/assemblees/{held.pk}/proces-verbal/").status_code == 404
    assert held.title not in Client().get("/assemblees/registre/").text

    # Convened under rules that publish them, they are public once frozen.
    Assembly.objects.filter(pk=held.pk).update(rules={**held.rules, "minutes_public": True})
    assert Client().get(f"/assemblees/{held.pk}/proces-verbal/").status_code == 200
    assert held.title in Client().get("/assemblees/registre/").text


def test_the_api_reads_confirms_and_lists_the_minutes(held, alice, bob, gus):
    base = f"/assemblies/{held.pk}/minutes"
    draft_minutes = call(bearer(gus.user), "get", base).json()
    assert draft_minutes["frozen"] is False
    assert draft_minutes["text"] == minutes.text(held)
    assert call(bearer(gus.user), "post", base + "/confirm").status_code == 403
    assert call(bearer(alice.user), "post", base + "/confirm").json()["frozen"] is False

    frozen = call(bearer(bob.user), "post", base + "/confirm").json()

    assert frozen["frozen"] is True and frozen["phase"] == "minutes_frozen"
    assert frozen["sha256"] == Minutes.objects.get().sha256
    listed = call(Client(), "get", "/assemblies/register").json()
    assert listed == []
    listed = call(bearer(gus.user), "get", "/assemblies/register").json()
    assert [(a["id"], a["sha256"]) for a in listed] == [(held.pk, frozen["sha256"])]


def test_the_assembly_page_names_people_as_each_chose(held, alice, bob, gus):
    Member.objects.filter(pk=bob.pk).update(pseudonym="bobo", members_visibility="pseudonym")
    seen_by_a_member = client_for(gus.user).get(f"/assemblees/{held.pk}/").content.decode()
    assert "bobo" in seen_by_a_member and "Bob Durand" not in seen_by_a_member
    seen_by_an_officer = client_for(alice.user).get(f"/assemblees/{held.pk}/").content.decode()
    assert "Bob Durand" in seen_by_an_officer  # officers keep the register: every name


def test_the_second_confirmation_is_refused_when_the_draft_changed_since_the_first(
    held, alice, bob
):
    """The chair confirmed one draft; the chair's name then shows in it (the chair chose to
    be named): the secretary can't freeze a text the chair never read."""
    held.confirm_minutes(alice.user)
    Member.objects.filter(pk=alice.pk).update(public_visibility="name")

    with pytest.raises(ValidationError, match="a changé depuis"):
        held.confirm_minutes(bob.user)

    record = Minutes.objects.get()
    assert record.secretary_confirmed_at is None and record.frozen_at is None
    assert held.phase == "closed"
    assert not JournalEntry.objects.filter(kind="assembly_minutes").exists()

    again = held.confirm_minutes(alice.user)
    assert again.chair_confirmed_at > record.chair_confirmed_at
    frozen = held.confirm_minutes(bob.user)
    assert frozen.frozen_at is not None
    assert "Présidence de séance : Alice Martin" in frozen.text
    assert frozen.draft_sha256 == frozen.sha256 == minutes.digest(frozen.text)


def test_a_changed_draft_is_a_409_in_the_api_and_on_the_page(held, alice, bob):
    base = f"/assemblies/{held.pk}/minutes"
    call(bearer(alice.user), "post", base + "/confirm")
    Member.objects.filter(pk=alice.pk).update(public_visibility="name")

    refused = call(bearer(bob.user), "post", base + "/confirm")
    assert refused.status_code == 409
    assert "confirmer à nouveau" in refused.json()["detail"]
    page = client_for(bob.user).post(f"/assemblees/{held.pk}/proces-verbal/confirmer/")
    assert page.status_code == 409
    assert "confirmer à nouveau" in page.text
    shown = client_for(alice.user).get(f"/assemblees/{held.pk}/proces-verbal/")
    assert "a changé depuis" in shown.text
    assert Minutes.objects.get().secretary_confirmed_at is None
