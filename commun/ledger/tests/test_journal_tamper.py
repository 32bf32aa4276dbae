"""Someone with database access edits the journal table by hand: `commun verify` names the entry.

The guards (append-only triggers) are removed first, as an attacker with the database's
owner rights would. Each test runs on SQLite, and again in the PostgreSQL pass.
"""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from commun.ledger.models import JournalEntry, Transaction
from commun.testing.appendonly import tamper

pytestmark = pytest.mark.django_db

on_both = pytest.mark.parametrize(
    "_database", ["any", pytest.param("postgresql", marks=pytest.mark.postgres)]
)


@pytest.fixture
def books(db):
    for i in range(1, 9):
        Transaction.objects.record(
            datetime.date(2026, 3, i),
            f"Vente {i}",
            [("512", 1000 * i), ("706", -1000 * i)],
            idempotency_key=f"s{i}",
        )
    assert JournalEntry.objects.count() == 8


def export_then_verify(tmp_path):
    """`commun export journal | commun verify`, through a file."""
    path = tmp_path / "journal.jsonl"
    out = io.StringIO()
    call_command("export", "journal", stdout=out)
    path.write_text(out.getvalue())
    call_command("verify", str(path), stdout=io.StringIO())


@on_both
def test_an_untouched_journal_verifies(books, tmp_path, _database):
    export_then_verify(tmp_path)


@on_both
def test_an_amount_changed_with_sql_names_the_entry(books, tmp_path, _database):
    tamper(
        "UPDATE ledger_journalentry SET payload_json = replace(payload_json, '5000', '500') "
        "WHERE sequence = 5"
    )

    with pytest.raises(CommandError, match="ligne 5 : l'entrée n°5 a été altérée") as refused:
        export_then_verify(tmp_path)
    assert refused.value.returncode == 1


@on_both
def test_a_row_deleted_with_sql_names_the_missing_entry(books, tmp_path, _database):
    tamper("DELETE FROM ledger_journalentry WHERE sequence = 3")

    with pytest.raises(CommandError, match="l'entrée n°3 a été supprimée ou déplacée") as refused:
        export_then_verify(tmp_path)
    assert refused.value.returncode == 1


@on_both
def test_two_rows_swapped_with_sql_are_named(books, tmp_path, _database):
    # Renumbered so that the export, in sequence order, reads 6 before 5.
    tamper(
        "UPDATE ledger_journalentry SET sequence = 1000 WHERE sequence = 5",
        "UPDATE ledger_journalentry SET sequence = 5 WHERE sequence = 6",
        "UPDATE ledger_journalentry SET sequence = 6 WHERE sequence = 1000",
    )

    with pytest.raises(
        CommandError, match="ligne 5 : l'entrée n°5 ne suit pas l'entrée n°4"
    ) as refused:
        export_then_verify(tmp_path)
    assert refused.value.returncode == 1


@on_both
def test_two_rows_contents_swapped_with_sql_are_named(books, tmp_path, _database):
    """Whole rows exchanged (hashes included), sequence numbers left in place."""
    columns = ("kind", "ref", "payload_json", "previous_hash", "hash")
    rows = dict(
        (sequence, values)
        for sequence, *values in JournalEntry.objects.filter(sequence__in=(2, 3)).values_list(
            "sequence", *columns
        )
    )
    assignments = ", ".join(f"{column} = %s" for column in columns)
    tamper(
        # Hashes are unique: free both before exchanging them.
        ("UPDATE ledger_journalentry SET hash = %s WHERE sequence = 2", ["e" * 64]),
        ("UPDATE ledger_journalentry SET hash = %s WHERE sequence = 3", ["f" * 64]),
        (f"UPDATE ledger_journalentry SET {assignments} WHERE sequence = 2", [*rows[3]]),
        (f"UPDATE ledger_journalentry SET {assignments} WHERE sequence = 3", [*rows[2]]),
    )

    with pytest.raises(CommandError, match="ligne 2 : l'entrée n°2 ne suit pas") as refused:
        export_then_verify(tmp_path)
    assert refused.value.returncode == 1


@on_both
def test_the_last_row_deleted_is_caught_by_the_published_head(books, tmp_path, _database):
    head = JournalEntry.objects.order_by("sequence").last().hash
    tamper("DELETE FROM ledger_journalentry WHERE sequence = 8")
    path = tmp_path / "journal.jsonl"
    call_command("export", "journal", output=str(path))

    with pytest.raises(CommandError, match="tronqué"):
        call_command("verify", str(path), "--head", head, stdout=io.StringIO())
