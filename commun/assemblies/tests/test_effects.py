"""What an adopted resolution does: close the year with the allocation voted, change a
rule of the statutes, admit or exclude; and every resolution's outcome in the journal.

Alice (an officer, contributors) chairs, Bob is the secretary; Gus is a member. 2025 made a
profit of 70,000 € on a capital of 10,000 €: the legal reserve must receive 10,000 € (what
it lacks to equal the capital), the unshared reserves 57.5 % of the result.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from commun.assemblies.models import AgendaItem, AssemblyRules, Kind
from commun.conftest import category, client_for, make_member
from commun.ledger.models import FiscalYear, JournalEntry, Transaction
from commun.members.models import Application, Member
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft, in_session, vote_on

pytestmark = pytest.mark.django_db

D = datetime.date
GOOD = {"1061": 1_000_000, "1068-DISPO": 5_300_000, "1068-COMMUNS": 700_000}
TOO_LITTLE_IN_RESERVE = {"1061": 100_000, "1068-DISPO": 6_200_000, "1068-COMMUNS": 700_000}


@pytest.fixture
def year_2025(coop):
    """Capital paid, a year of sales and spending: a profit of 70,000 €."""
    for day, postings, key in (
        (D(2025, 1, 10), [("512", 1_000_000), ("101", -1_000_000)], "capital"),
        (D(2025, 6, 1), [("512", 10_000_000), ("706", -10_000_000)], "sales"),
        (D(2025, 9, 1), [("613", 3_000_000), ("512", -3_000_000)], "hosting"),
    ):
        Transaction.objects.record(day, "Écriture", postings, idempotency_key=key)


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


def accounts(allocation):
    return {"kind": "approve_accounts", "year": 2025, "allocation": allocation}


def held_with(alice, bob, gus, effect):
    """Resolution 2 carries `effect`; Alice, Bob and Gus signed in."""
    return in_session(alice.user, alice, bob, alice, bob, gus, items=[("Effet", "Texte", effect)])


def test_an_allocation_the_close_would_refuse_is_refused_on_the_agenda(year_2025, alice):
    assembly = draft(alice.user)
    with pytest.raises(ValidationError) as refused:
        assembly.add_item(
            alice.user, "resolution", "Comptes", "Texte", accounts(TOO_LITTLE_IN_RESERVE)
        )
    assert "réserve légale doit recevoir au moins" in " ".join(refused.value.message_dict["effect"])
    with pytest.raises(ValidationError) as unknown:
        assembly.add_item(alice.user, "resolution", "Comptes", "Texte", accounts({"999": 1}))
    assert "effect" in unknown.value.message_dict
    with pytest.raises(ValidationError, match="Seule une résolution"):
        assembly.add_item(alice.user, "information", "Info", "", accounts(GOOD))
    assert assembly.items.count() == 1

    response = call(
        bearer(alice.user),
        "post",
        f"/assemblies/{assembly.pk}/items",
        {
            "kind": "resolution",
            "title": "Comptes",
            "text": "T",
            "effect": accounts(TOO_LITTLE_IN_RESERVE),
        },
    )
    assert response.status_code == 422
    assert "effect" in response.text
    assert assembly.items.count() == 1


def test_the_adopted_accounts_close_the_year_with_the_allocation_voted(year_2025, alice, bob, gus):
    assembly = held_with(alice, bob, gus, accounts(GOOD))

    item = vote_on(assembly, alice, 2, {alice: "yes", bob: "yes", gus: "no"})

    assert item.adopted is True
    assert item.effect_outcome == {"status": "applied"}
    closed = FiscalYear.objects.get(year=2025)
    assert closed.allocation == GOOD
    assert "résolution n°2" in closed.decision_reference
    assert "résolution n°2" in closed.allocation_transaction.label


def test_a_close_refused_at_the_vote_leaves_the_result_and_records_why(year_2025, alice, bob, gus):
    assembly = held_with(alice, bob, gus, accounts(GOOD))
    # Meanwhile a booking in 2025 changes the result: the allocation no longer equals it.
    Transaction.objects.record(
        D(2025, 12, 1), "Oubli", [("613", 100_000), ("512", -100_000)], idempotency_key="late"
    )
    transactions = Transaction.objects.count()

    item = vote_on(assembly, alice, 2, {alice: "yes", bob: "yes"})

    assert item.adopted is True
    assert item.effect_outcome["status"] == "failed"
    assert "doit égaler le résultat" in item.effect_outcome["reason"]
    assert not FiscalYear.objects.exists()
    assert Transaction.objects.count() == transactions  # nothing half-written


def test_a_rejected_resolution_does_nothing(year_2025, alice, bob, gus):
    assembly = held_with(alice, bob, gus, accounts(GOOD))

    item = vote_on(assembly, alice, 2, {alice: "no", bob: "no", gus: "yes"})

    assert (item.adopted, item.effect_outcome) == (False, {})
    assert not FiscalYear.objects.exists()


def test_an_adopted_resolution_changes_a_rule_of_the_statutes(alice, bob, gus):
    change = {"kind": "change_rule", "assembly_kind": "extraordinary", "rule": "notice_days"}
    with pytest.raises(ValidationError, match="180"):
        draft(alice.user).add_item(alice.user, "resolution", "Délai", "T", {**change, "value": 400})
    assembly = held_with(alice, bob, gus, {**change, "value": 21})

    vote_on(assembly, alice, 2, {alice: "yes", bob: "yes"})

    assert AssemblyRules.of(Kind.EXTRAORDINARY).notice_days == 21
    assert AssemblyRules.of(Kind.ORDINARY).notice_days == 15


def test_adopted_resolutions_admit_an_applicant_and_exclude_a_member(carol, alice, bob, gus):
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    with pytest.raises(ValidationError, match="Aucune candidature"):
        draft(alice.user).add_item(
            alice.user, "resolution", "A", "T", {"kind": "admit", "application": 999}
        )
    assembly = in_session(
        alice.user,
        alice,
        bob,
        alice,
        bob,
        items=[
            ("Admettre Carol", "T", {"kind": "admit", "application": carol.pk}),
            ("Exclure Zoé", "T", {"kind": "exclude", "member_number": zoe.number}),
        ],
    )

    vote_on(assembly, alice, 2, {alice: "yes", bob: "yes"})
    vote_on(assembly, alice, 3, {alice: "yes", bob: "yes"})

    carol.refresh_from_db()
    assert carol.status == Application.Status.ADMITTED
    assert "résolution n°2" in carol.member.movements.get().authorised_by
    assert Member.objects.get(pk=zoe.pk).status == Member.Status.LEAVING


def test_each_outcome_is_journaled_and_verify_catches_an_altered_one(year_2025, alice, bob, gus):
    assembly = held_with(alice, bob, gus, accounts(GOOD))
    vote_on(assembly, alice, 1, {alice: "no", bob: "no"})
    vote_on(assembly, alice, 2, {alice: "yes", bob: "yes"})
    entries = JournalEntry.objects.filter(kind="assembly_resolution").order_by("sequence")
    assert [e.ref for e in entries] == [
        f"assembly-{assembly.pk}-resolution-1",
        f"assembly-{assembly.pk}-resolution-2",
    ]
    assert '"adopted":true' in entries[1].payload_json
    assert "Alice" not in entries[1].payload_json
    call_command("verify", books=True, stdout=None)

    AgendaItem.objects.filter(assembly=assembly, position=1).update(
        adopted=True, result={**assembly.items.get(position=1).result, "yes": 2, "no": 0}
    )

    with pytest.raises(CommandError, match="résolution n°1"):
        call_command("verify", books=True)


def test_the_agenda_form_takes_an_effect_and_refuses_a_bad_allocation(year_2025, alice):
    assembly = draft(alice.user)
    officer = client_for(alice.user)
    form = {
        "kind": "resolution",
        "title": "Comptes 2025",
        "text": "L'assemblée approuve les comptes.",
        "effect": "approve_accounts",
        "year": "2025",
        "legal_reserve": "1 000",
        "available_reserve": "62 000",
        "commons_fund": "7 000",
    }
    refused = officer.post(f"/assemblees/{assembly.pk}/ordre-du-jour/", form)
    assert refused.status_code == 422
    assert "La réserve légale doit recevoir au moins" in refused.text
    assert assembly.items.count() == 1

    good = {**form, "legal_reserve": "10 000", "available_reserve": "53 000"}
    assert officer.post(f"/assemblees/{assembly.pk}/ordre-du-jour/", good).status_code == 302
    assert assembly.items.get(position=2).effect == accounts(GOOD)


@pytest.mark.parametrize(
    "effect",
    [
        {"kind": "admit", "application": "abc"},
        {"kind": "admit", "application": {"pk": 1}},
        {"kind": "admit", "application": 10**20},
        {"kind": "exclude", "member_number": 10**20},
        {"kind": "exclude", "member_number": "12"},
        {"kind": "approve_accounts", "year": 10**20},
        {"kind": "approve_accounts", "year": 0},
    ],
)
def test_an_effect_s_bad_numbers_answer_422_on_the_effect_never_500(alice, effect):
    assembly = draft(alice.user)
    item = {"kind": "resolution", "title": "Effet", "text": "T", "effect": effect}
    response = call(bearer(alice.user), "post", f"/assemblies/{assembly.pk}/items", item)
    assert response.status_code == 422, response.content
    assert assembly.items.count() == 1


def test_an_effect_is_not_applied_to_a_text_the_floor_amended(alice, bob, gus):
    from commun.assemblies import amendments

    change = {"kind": "change_rule", "assembly_kind": "extraordinary", "rule": "notice_days"}
    assembly = held_with(alice, bob, gus, {**change, "value": 21})
    amendment = amendments.propose(
        gus.user, assembly.items.get(position=2), "Le délai passe à trente jours."
    )
    amendments.decide(alice.user, amendment, admitted=True)
    vote_on(assembly, alice, amendment.position, {alice: "yes", bob: "yes", gus: "yes"})
    item = vote_on(assembly, alice, 2, {alice: "yes", bob: "yes"})

    assert item.adopted and item.effect_outcome["status"] == "failed"
    assert "telle qu'amendée" in item.effect_outcome["reason"]
    assert AssemblyRules.of(Kind.EXTRAORDINARY).notice_days == 15  # nothing applied
    call_command("verify", "--books")
    AgendaItem.objects.filter(pk=item.pk).update(amended_text="Le délai passe à un jour.")
    with pytest.raises(CommandError):  # the record vouches for the text the floor voted
        call_command("verify", "--books")
