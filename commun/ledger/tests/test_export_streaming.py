"""Every export streams: standard output or a file, constant memory, a closed pipe is the end."""

import datetime
import io
import tracemalloc

import pytest
from django.core.management import call_command

from bench.ledger import fill
from commun.ledger import exports
from commun.ledger.models import JournalEntry, Transaction

pytestmark = pytest.mark.django_db

EXPORTS = [("journal",), ("beancount",), ("fec", "--year", "2025")]
on_both = pytest.mark.parametrize(
    "_database", ["any", pytest.param("postgresql", marks=pytest.mark.postgres)]
)


def peak_exporting(tmp_path, what) -> int:
    tracemalloc.start()
    call_command("export", *what, "--output", str(tmp_path / "export.txt"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@on_both
def test_the_exports_of_a_large_ledger_keep_memory_flat(tmp_path, monkeypatch, _database):
    # Small pages, so that even one year of the smaller ledger spans several of them.
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 200)
    fill(3000, seed=1)
    small = {what: peak_exporting(tmp_path, what) for what in EXPORTS}
    fill(9000, seed=2)
    large = {what: peak_exporting(tmp_path, what) for what in EXPORTS}

    # Four times the transactions: holding them all would take about four times the memory.
    for what in EXPORTS:
        assert large[what] < small[what] * 1.5, (what, small[what], large[what])


@on_both
def test_a_bulk_filled_ledger_is_the_one_record_would_have_booked(tmp_path, _database):
    """The benchmark's generator chains the journal and digests requests like record()."""
    fill(2500, seed=3)
    path = tmp_path / "journal.jsonl"
    call_command("export", "journal", "--output", str(path))
    out = io.StringIO()

    call_command("verify", str(path), stdout=out)

    assert f"{JournalEntry.objects.count()} entrées" in out.getvalue()
    assert Transaction.objects.count() == 2500
    first = Transaction.objects.get(number=1)
    postings = [(p.account.code, p.amount_cents) for p in first.postings.order_by("pk")]
    again = Transaction.objects.record(
        first.date, first.label, postings, idempotency_key=first.idempotency_key
    )
    assert again.pk == first.pk  # same digest: a retry, not a conflict
    booked = Transaction.objects.record(
        datetime.date(2026, 1, 2), "Après", [("512", 5), ("706", -5)], idempotency_key="after"
    )
    assert booked.number == 2501


class ClosedPipe(io.StringIO):
    def __init__(self):
        super().__init__()
        self.lines = 0

    def write(self, text):
        self.lines += 1
        if self.lines > 3:
            raise BrokenPipeError
        return super().write(text)


@pytest.mark.parametrize("what", EXPORTS)
def test_a_closed_pipe_ends_the_export_quietly(what):
    fill(50, seed=4)
    reader = ClosedPipe()

    call_command("export", *what, stdout=reader)

    assert reader.lines == 4
