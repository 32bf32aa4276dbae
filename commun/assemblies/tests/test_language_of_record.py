"""What the assemblies write for the record is written in French, the cooperative's
language of record, whatever language the person acting reads: an amendment's title, an
effect's failure, the attached accounts' title. So the minutes read the same whoever
acted, and their amounts are French (decimal comma, grouped thousands).

Alice (an officer) chairs and reads Commun in English; Bob is the secretary; Gus a member.
"""

import datetime
from fractions import Fraction

import pytest
from django.utils import translation

from commun.assemblies import amendments, minutes
from commun.assemblies.documents import Document
from commun.conftest import category, make_member
from commun.ledger import closing
from commun.ledger.models import Transaction
from commun.testing.assemblies import draft, in_session, vote_on

pytestmark = pytest.mark.django_db

D = datetime.date
# 70,000 € of profit on 10,000 € of capital: 10,000 € to the legal reserve, the rest to
# the unshared reserves, 12,814.16 € of it to the commons fund.
ALLOCATION = {"1061": 1_000_000, "1068-DISPO": 4_718_584, "1068-COMMUNS": 1_281_416}


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def year_2025(coop):
    """Capital paid, a year of sales and spending: a profit of 70,000 €."""
    for day, postings, key in (
        (D(2025, 1, 10), [("512", 1_000_000), ("101", -1_000_000)], "capital"),
        (D(2025, 6, 1), [("512", 10_000_000), ("706", -10_000_000)], "sales"),
        (D(2025, 9, 1), [("613", 3_000_000), ("512", -3_000_000)], "hosting"),
    ):
        Transaction.objects.record(day, "Écriture", postings, idempotency_key=key)


def accounts_resolution(alice, bob, gus):
    effect = {"kind": "approve_accounts", "year": 2025, "allocation": ALLOCATION}
    return in_session(alice.user, alice, bob, alice, bob, gus, items=[("Comptes", "T", effect)])


def test_an_amendment_s_title_is_french_whoever_proposes_it(alice, bob, gus):
    assembly = in_session(alice.user, alice, bob, alice, bob, gus)
    resolution = assembly.items.get(position=1)

    with translation.override("en"):
        amendment = amendments.propose(gus.user, resolution, "Un autre texte.")

    assert amendment.title == f"Amendement n° 1 à « {resolution.title} »"


def test_an_effect_s_failure_is_french_whoever_closes_the_vote(year_2025, alice, bob, gus):
    assembly = accounts_resolution(alice, bob, gus)
    # Meanwhile a booking in 2025 changes the result: the allocation no longer equals it.
    Transaction.objects.record(
        D(2025, 12, 1), "Oubli", [("613", 100_000), ("512", -100_000)], idempotency_key="late"
    )

    with translation.override("en"):
        item = vote_on(assembly, alice, 2, {alice: "yes", bob: "yes"})

    assert item.effect_outcome["status"] == "failed"
    assert "doit égaler le résultat" in item.effect_outcome["reason"]
    assembly.close_session(alice.user)
    assert "doit égaler le résultat" in minutes.text(assembly)


def test_the_minutes_give_an_effect_s_amounts_the_french_way(year_2025, alice, bob, gus):
    assembly = accounts_resolution(alice, bob, gus)
    with translation.override("en"):
        vote_on(assembly, alice, 2, {alice: "yes", bob: "yes"})
        assembly.close_session(alice.user)
        in_english_session = minutes.text(assembly)

    said = minutes.text(assembly)

    assert said == in_english_session
    assert "Fonds pour les communs amont (1068-COMMUNS) 12\xa0814,16\xa0€" in said
    assert "Réserve légale (1061) 10\xa0000\xa0€" in said
    assert "— appliqué." in said


def test_the_accounts_attached_are_titled_in_french_whoever_attaches_them(year_2025, alice):
    closing.close_year(2025, by=alice.user)
    assembly = draft(alice.user)

    with translation.override("en"):
        document = Document.attach_accounts(assembly, alice.user, 2025)

    assert document.title == "Comptes de l'exercice 2025"


@pytest.mark.parametrize(
    ("fraction", "read"),
    [(Fraction(2, 3), "66,67 %"), (Fraction(1, 3), "33,33 %"), (Fraction(1, 8), "12,50 %")],
)
def test_the_minutes_round_a_share_to_the_hundredth(fraction, read):
    """Two thirds is the extraordinary majority: frozen minutes must not read 66,66 %."""
    with translation.override("fr"):
        assert minutes._percent(fraction) == read
