"""What each member chose to show is all that any page, download or API answer shows.

Paulin shows the public a pseudonym, "pollux", and the associates too; Hugolin shows
nothing to the public and has no pseudonym, so associates see his number; Ninon shows her
name (the control: it must appear, or the test would pass on pages that name nobody).
Each of them writes, proposes, votes, raises needs, proposes and is paid for a mission.
"""

import datetime
import html
import re

import pytest
from django.test import Client

from commun.budgets.models import Mission, Need
from commun.conftest import category, client_for, make_member
from commun.decisions.models import Decision
from commun.deliberation.models import Space
from commun.members.models import Member
from commun.testing.budgets import adopt, fund, invoice
from commun.testing.decisions import DAY

PAULIN = ("Paulin", "Orsini")
HUGOLIN = ("Hugolin", "Vasseur")
NINON = ("Ninon", "Ardouin")


@pytest.fixture
def world(coop, alice, bob):
    space = Space.objects.cooperative()
    Space.objects.filter(pk=space.pk).update(visibility=Space.Visibility.PUBLIC)
    space.refresh_from_db()
    people = {}
    for (first, last), public, members, pseudonym in (
        (PAULIN, "pseudonym", "pseudonym", "pollux"),
        (HUGOLIN, "hidden", "pseudonym", ""),
        (NINON, "name", "name", ""),
    ):
        person = make_member(f"{first.lower()}@example.org", first, last, category("Contrib"))
        Member.objects.filter(pk=person.pk).update(
            public_visibility=public, members_visibility=members, pseudonym=pseudonym
        )
        person.refresh_from_db()
        people[first] = person
    paulin, hugolin, ninon = people["Paulin"], people["Hugolin"], people["Ninon"]

    thread = space.start_thread(paulin, "Un atelier partagé", "Qui veut un atelier ?")
    thread.post_comment(hugolin, "Moi, le jeudi.")
    thread.post_comment(ninon, "Moi aussi.")
    decision = Decision.objects.propose(
        thread=thread,
        author=paulin,
        kind="consent",
        title="Louer l'atelier",
        body="Nous louons l'atelier du jeudi.",
        min_deliberation=DAY,
        closes_at=None,
    )
    decision.open()
    decision.advance(paulin)
    decision.advance(paulin)
    decision.current_round.take_stance(hugolin, "concern", reason="Le loyer me semble élevé.")
    decision.current_round.take_stance(ninon, "consent")

    fund(1_000_000)
    need = Need.objects.raise_need(paulin, title="Un atelier", description="Pour bricoler.")
    need.support(hugolin)
    need.support(ninon)
    missions = []
    for person in (paulin, hugolin, ninon):
        mission = Mission.objects.propose(
            person, need, **invoice(50_000, title=f"Mission de {person.number}")
        )
        mission.submit(person)
        adopt(mission, person)
        mission.record_payment(
            alice,
            kind="invoice",
            on=datetime.date(2026, 2, 1),
            label="Facture",
            amount_cents=10_000,
            idempotency_key=f"visibility-{mission.pk}",
        )
        missions.append(mission)
    return {"thread": thread, "decision": decision, "need": need, "missions": missions}


def urls(world) -> list[str]:
    thread, decision, need = world["thread"], world["decision"], world["need"]
    missions = world["missions"]
    return [
        "/",
        "/espaces/",
        "/espaces/cooperative/",
        f"/fils/{thread.pk}/",
        "/decisions/",
        f"/decisions/{decision.pk}/",
        "/besoins/",
        f"/besoins/{need.pk}/",
        "/missions/",
        *[f"/missions/{m.pk}/" for m in missions],
        "/comptes/",
        "/comptes/ecritures/",
        "/comptes/ecritures.csv",
        "/comptes/ecritures.json",
        "/comptes/journal.jsonl",
        "/communs-amont/",
        "/communs-amont/dons/",
        "/recherche/?q=atelier",
        "/api/v1/spaces/cooperative/threads",
        f"/api/v1/threads/{thread.pk}",
        "/api/v1/decisions",
        f"/api/v1/decisions/{decision.pk}",
        f"/api/v1/decisions/{decision.pk}/tally",
        "/api/v1/needs",
        f"/api/v1/needs/{need.pk}",
        "/api/v1/missions",
        *[f"/api/v1/missions/{m.pk}" for m in missions],
        "/api/v1/ledger/transactions",
        "/api/v1/search?q=atelier",
    ]


def everything_seen(client: Client, world, extra=()) -> str:
    seen = []
    for url in [*urls(world), *extra]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen.append(html.unescape(body.decode()))
    return "\n".join(seen)


def assert_shows_only_what_was_chosen(seen: str, *, pseudonym_allowed: bool):
    for first, last in (PAULIN, HUGOLIN):
        assert not re.search(rf"{first}|{last}", seen), f"{first} {last} is shown"
    assert ("pollux" in seen) == pseudonym_allowed
    assert "Ardouin" in seen  # Ninon chose her name: the pages do name people


def test_a_visitor_sees_only_what_each_member_chose_to_show(world):
    seen = everything_seen(Client(), world)
    assert_shows_only_what_was_chosen(seen, pseudonym_allowed=True)


def test_another_member_sees_pseudonyms_and_numbers_as_chosen(world, bob):
    seen = everything_seen(client_for(bob.user), world, extra=["/associes/", "/registre/"])
    assert_shows_only_what_was_chosen(seen, pseudonym_allowed=True)
    hugolin = Member.objects.get(first_name="Hugolin")
    assert f"Associé·e n°{hugolin.number}" in seen


def test_an_officer_sees_the_names_the_register_holds(world, people):
    seen = everything_seen(people["officer"], world, extra=["/registre/"])
    assert "Orsini" in seen and "Vasseur" in seen
