"""What PostgreSQL itself guarantees: balanced transactions at commit, gapless numbers under load.

SQLite has no deferred triggers and serialises every writer: these prove something only on
PostgreSQL.
"""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from commun.ledger.models import Account, Books, JournalEntry, Posting, Transaction
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 4, 1)


def insert_by_sql(number, postings):
    """Write a transaction behind the model's back, as a buggy or malicious client would."""
    Account.objects.load_chart()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction (number, date, label, idempotency_key, "
            "request_digest, recorded_at) VALUES (%s, %s, 'sql', %s, '', now()) RETURNING id",
            [number, DAY, f"sql-{number}"],
        )
        transaction_id = cursor.fetchone()[0]
        for code, cents in postings:
            cursor.execute(
                "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents) "
                "SELECT %s, id, %s FROM ledger_account WHERE code = %s",
                [transaction_id, cents, code],
            )


@pytest.mark.parametrize(
    "postings",
    [[("512", 100), ("706", -99)], [("512", 100)], []],
    ids=["unbalanced", "one-posting", "no-posting"],
)
def test_the_database_refuses_at_commit_a_transaction_that_does_not_balance(postings):
    with (
        pytest.raises(IntegrityError, match="unbalanced ledger transaction"),
        transaction.atomic(),
    ):
        insert_by_sql(1, postings)

    assert not Transaction.objects.exists() and not Posting.objects.exists()


def test_the_database_accepts_a_balanced_transaction_written_in_several_statements():
    with transaction.atomic():
        insert_by_sql(1, [("512", 100), ("706", -60), ("708", -40)])

    assert Account.objects.get(code="512").balance() == 100


def test_the_database_refuses_a_delete_by_sql():
    Transaction.objects.record(DAY, "Vente", [("512", 5), ("706", -5)], idempotency_key="a")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ledger_posting")

    assert Posting.objects.count() == 2


def test_twenty_concurrent_records_are_numbered_without_gaps():
    outcomes = all_at_once(
        20,
        lambda i: Transaction.objects.record(
            DAY, f"Vente {i}", [("512", 100 + i), ("706", -100 - i)], idempotency_key=f"v{i}"
        ),
    )

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    assert sorted(t.number for t in outcomes) == list(range(1, 21))
    numbers = list(Transaction.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert list(JournalEntry.objects.values_list("sequence", flat=True)) == list(range(1, 21))
    assert Account.objects.get(code="512").balance() == sum(100 + i for i in range(20))
    assert Books.objects.get().last_transaction_number == 20


def test_ten_concurrent_retries_of_one_request_book_it_once():
    outcomes = all_at_once(
        10,
        lambda i: Transaction.objects.record(
            DAY, "Vente", [("512", 700), ("706", -700)], idempotency_key="same"
        ),
    )

    assert {o.pk for o in outcomes} == {Transaction.objects.get().pk}
    assert Account.objects.get(code="512").balance() == 700
