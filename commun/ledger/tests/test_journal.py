"""`commun export journal` and `commun verify`: an altered, removed or reordered entry is named."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from commun.ledger import exports, journal
from commun.ledger.models import JournalEntry, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(alice, bob):
    """Two members' movements and payments, then a sale and its reversal: 8 entries."""
    sale = Transaction.objects.record(
        datetime.date(2026, 3, 1), "Vente", [("512", 900), ("706", -900)], idempotency_key="s1"
    )
    sale.reverse("Annulation", idempotency_key="s2")
    assert JournalEntry.objects.count() == 8
    return JournalEntry.objects.count()


def export(tmp_path, name="journal.jsonl"):
    path = tmp_path / name
    call_command("export", "journal", output=str(path))
    return path


def verify(path, *extra):
    out = io.StringIO()
    call_command("verify", str(path), *extra, stdout=out)
    return out.getvalue()


def rewrite(path, change):
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")


def test_an_intact_export_verifies(books, tmp_path):
    path = export(tmp_path)

    assert len(path.read_text().splitlines()) == books
    head = JournalEntry.objects.last().hash
    assert f"{books} entrées, dernier hash {head}" in verify(path)
    assert "intègre" in verify(path, "--head", head)


def test_the_export_goes_to_standard_output_without_a_file(books):
    out = io.StringIO()

    call_command("export", "journal", stdout=out)

    first = json.loads(out.getvalue().splitlines()[0])
    assert first["sequence"] == 1 and first["previous_hash"] == journal.GENESIS_HASH


def test_a_row_changed_with_sql_is_named(books, tmp_path):
    # Someone with database access removes the guard, then edits the 5th entry.
    with connection.cursor() as cursor:
        trigger = "ledger_journalentry_append_only"
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE ledger_journalentry DISABLE TRIGGER {trigger}")
        else:
            cursor.execute(f"DROP TRIGGER {trigger}")
        cursor.execute(
            "UPDATE ledger_journalentry SET payload_json = replace(payload_json, '5000', '500') "
            "WHERE sequence = 5"
        )

    with pytest.raises(CommandError, match="l'entrée n°5 a été altérée") as refused:
        verify(export(tmp_path))

    assert refused.value.returncode == 1


def test_an_edited_line_is_named(books, tmp_path):
    path = export(tmp_path)

    def change(lines):
        entry = json.loads(lines[3])
        entry["payload"]["quantity"] = 99
        lines[3] = json.dumps(entry)
        return lines

    rewrite(path, change)

    with pytest.raises(CommandError, match="ligne 4 : l'entrée n°4 a été altérée"):
        verify(path)
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="Invalid journal, line 4: entry no. 4 was altered"),
    ):
        verify(path)


def test_an_edited_line_with_its_hash_recomputed_breaks_the_next_link(books, tmp_path):
    path = export(tmp_path)

    def change(lines):
        entry = json.loads(lines[3])
        entry["payload"]["quantity"] = 99
        entry["hash"] = journal.entry_hash(
            entry["sequence"], entry["kind"], entry["ref"], entry["payload"], entry["previous_hash"]
        )
        lines[3] = json.dumps(entry)
        return lines

    rewrite(path, change)

    with pytest.raises(CommandError, match="l'entrée n°5 ne suit pas l'entrée n°4"):
        verify(path)


def test_a_removed_line_is_named(books, tmp_path):
    path = export(tmp_path)
    rewrite(path, lambda lines: lines[:6] + lines[7:])

    with pytest.raises(CommandError, match="l'entrée n°7 a été supprimée ou déplacée"):
        verify(path)


def test_reordered_lines_are_named(books, tmp_path):
    path = export(tmp_path)
    rewrite(path, lambda lines: lines[:2] + [lines[3], lines[2]] + lines[4:])

    with pytest.raises(CommandError, match="ligne 3 : l'entrée n°3 était attendue"):
        verify(path)


def test_a_truncated_journal_fails_against_the_published_head(books, tmp_path):
    path = export(tmp_path)
    head = JournalEntry.objects.last().hash
    rewrite(path, lambda lines: lines[:-1])

    assert "intègre" in verify(path)  # alone, a shorter chain is still a chain
    with pytest.raises(CommandError, match="tronqué"):
        verify(path, "--head", head)


def test_a_garbled_line_is_named(books, tmp_path):
    path = export(tmp_path)
    rewrite(path, lambda lines: [*lines[:2], "{not json", *lines[3:]])

    with pytest.raises(CommandError, match="ligne 3 : entrée illisible"):
        verify(path)


def test_the_export_reads_the_journal_by_pages(books, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 2)
    entries = JournalEntry.objects.count()

    with CaptureQueriesContext(connection) as queries:
        lines = export(tmp_path).read_text().splitlines()

    reads = [q["sql"] for q in queries.captured_queries if '"ledger_journalentry"' in q["sql"]]
    assert len(lines) == entries > 2
    # Pages by sequence, not one cursor: memory stays flat also behind a transaction pooler,
    # where server-side cursors are off.
    assert len(reads) == entries // 2 + 1
    assert all("LIMIT 2" in sql and "OFFSET" not in sql for sql in reads)


def test_the_export_of_a_large_journal_keeps_memory_flat(db, tmp_path):
    import tracemalloc

    from commun.ledger.models import Books

    def grow(to):
        books = Books.locked()
        entries = []
        while books.journal_length < to:
            sequence = books.journal_length + 1
            payload = {"n": sequence, "postings": [["512", sequence], ["706", -sequence]]}
            previous = books.journal_head_hash
            books.journal_head_hash = journal.entry_hash(
                sequence, "t", f"r{sequence}", payload, previous
            )
            books.journal_length = sequence
            entries.append(
                JournalEntry(
                    sequence=sequence,
                    kind="t",
                    ref=f"r{sequence}",
                    payload_json=journal.canonical_json(payload),
                    previous_hash=previous,
                    hash=books.journal_head_hash,
                )
            )
        JournalEntry.objects.bulk_create(entries, batch_size=1000)
        books.save()

    def peak_exporting():
        tracemalloc.start()
        export(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    grow(3000)
    small = peak_exporting()
    grow(12000)
    large = peak_exporting()

    # Four times the entries: holding them all would need about four times the memory;
    # streaming stays well under twice (the PostgreSQL driver's buffers vary a little).
    assert large < small * 2, (small, large)
    assert "12000 entrées" in verify(tmp_path / "journal.jsonl")
