"""Each closed decision joins the hash-chained journal: its outcome, counts and text digest."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.management import call_command

from commun.decisions.models import Decision
from commun.ledger.models import Books, JournalEntry
from commun.lib.hashing import canonical_json
from commun.testing.decisions import in_objection_round, opened

pytestmark = pytest.mark.django_db

PERSONAL = ["Alice", "Martin", "alice@example.org", "Bob", "Durand", "bob@example.org"]


def outcome_entries():
    return JournalEntry.objects.filter(kind=JournalEntry.Kind.DECISION_OUTCOME)


def after_deliberation(decision):
    return decision.opened_at + decision.min_deliberation + datetime.timedelta(seconds=1)


def assert_chain_verifies(tmp_path):
    path = tmp_path / "journal.jsonl"
    call_command("export", "journal", output=str(path))
    out = io.StringIO()
    call_command("verify", str(path), stdout=out)
    books = Books.objects.get()
    assert (
        f"{books.journal_length} entrées, dernier hash {books.journal_head_hash}" in out.getvalue()
    )


def assert_no_personal_data(entry):
    for text in PERSONAL:
        assert text.lower() not in entry.payload_json.lower(), text


def test_an_adopted_decision_appends_exactly_one_entry(alice, bob, tmp_path):
    decision = in_objection_round(bob, title="Acheter un serveur pour Alice")
    for member in (alice, bob):
        decision.current_round.take_stance(member, "consent")
    before = JournalEntry.objects.count()

    assert decision.close(now=after_deliberation(decision), by=bob) == Decision.Outcome.ADOPTED

    assert JournalEntry.objects.count() == before + 1
    entry = JournalEntry.objects.order_by("sequence").last()
    assert (entry.kind, entry.ref) == ("decision_outcome", f"decision-{decision.pk}")
    payload = json.loads(entry.payload_json)
    version = decision.current_version
    assert payload == {
        "decision": decision.pk,
        "kind": "consent",
        "outcome": "adopted",
        "closed_at": decision.closed_at.isoformat(),
        "version": 1,
        "text_sha256": hashlib.sha256(
            canonical_json({"title": version.title, "body": version.body}).encode()
        ).hexdigest(),
        "round": 1,
        "tally": payload["tally"],
    }
    assert payload["tally"]["stances"] == {"consent": 2}
    assert payload["tally"]["spoken"] == 2
    assert "kind" not in payload["tally"]  # texts are dropped, numbers kept
    assert_no_personal_data(entry)
    assert_chain_verifies(tmp_path)


def test_a_withdrawn_decision_is_journaled_too(alice, bob, tmp_path):
    decision = in_objection_round(bob)

    decision.withdraw(bob, statement="Alice Martin a trouvé mieux.")

    [entry] = outcome_entries()
    assert json.loads(entry.payload_json)["outcome"] == "withdrawn"
    assert_no_personal_data(entry)
    assert_chain_verifies(tmp_path)


def test_a_secret_election_keeps_counts_never_the_candidates_names(alice, bob, tmp_path):
    election = opened(alice, "approval", is_secret=True, options=["Ana Lopez", "Bruno", "Chloé"])
    first = election.options.order_by("pk").first()
    election.current_round.cast_secret_ballot(alice, [first.pk])
    election.current_round.cast_secret_ballot(bob, [first.pk])

    election.close(now=election.closes_at)

    [entry] = outcome_entries()
    payload = json.loads(entry.payload_json)
    assert payload["tally"]["counts"][str(first.pk)] == 2
    assert payload["tally"]["voters"] == 2
    for name in ("Ana", "Lopez", "Bruno", "Chlo", *PERSONAL):
        assert name.lower() not in entry.payload_json.lower(), name
    assert_chain_verifies(tmp_path)


def test_outcomes_and_transactions_share_one_unbroken_chain(alice, bob, tmp_path):
    from commun.ledger.models import Transaction

    first = in_objection_round(bob)
    first.withdraw(bob)
    Transaction.objects.record(
        datetime.date(2026, 4, 1), "Vente", [("512", 100), ("706", -100)], idempotency_key="v"
    )
    second = in_objection_round(alice)
    second.withdraw(alice)

    sequences = list(JournalEntry.objects.order_by("sequence").values_list("sequence", "kind"))
    assert [s for s, _kind in sequences] == list(range(1, len(sequences) + 1))
    assert [k for _s, k in sequences][-3:] == [
        "decision_outcome",
        "transaction",
        "decision_outcome",
    ]
    assert_chain_verifies(tmp_path)


def test_counts_only_drops_every_text():
    from commun.ledger.journal import counts_only

    assert counts_only(
        {
            "kind": "approval",
            "counts": {"3": 2},
            "winners": [3],
            "label": "Ana",
            "q": True,
            "nested": [{"name": "Bob", "n": 1}],
            "ratio": 0.5,
        }
    ) == {"counts": {"3": 2}, "winners": [3], "q": True, "nested": [{"n": 1}], "ratio": 0.5}
