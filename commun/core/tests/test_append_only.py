"""The database itself keeps the register, the books and the ballot box append-only.

Raw SQL, as a shell session, a bug elsewhere or a careless script would write it: every
UPDATE and DELETE is refused, and a transaction that does not balance never commits. Each
test runs on SQLite, and again in the PostgreSQL pass.
"""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from commun.decisions.models import Ballot
from commun.decisions.tests.helpers import opened
from commun.ledger.models import Account, JournalEntry, Posting, Transaction
from commun.members.models import ShareMovement

on_both = pytest.mark.parametrize(
    "_database", ["any", pytest.param("postgresql", marks=pytest.mark.postgres)]
)

APPEND_ONLY = {
    "members_sharemovement": "quantity = quantity + 1",
    "ledger_transaction": "label = 'Falsifiée'",
    "ledger_posting": "amount_cents = amount_cents * 10",
    "ledger_journalentry": "ref = 'x'",
    "decisions_ballot": 'content = \'{"choice": "no"}\'',
}
DAY = datetime.date(2026, 4, 1)
# What each table answers a change with, the same on both engines.
REFUSAL = {
    "members_sharemovement": "append-only table members_sharemovement: record a correction instead",
    "ledger_transaction": "append-only table ledger_transaction: record a reversal instead",
    "ledger_posting": "append-only table ledger_posting: record a reversal instead",
    "ledger_journalentry": "append-only table ledger_journalentry: record a reversal instead",
    "decisions_ballot": (
        "append-only table decisions_ballot: a cast ballot is never changed nor removed"
    ),
}


@pytest.fixture
def everything(alice, bob):
    """A register (the fixtures' payments), a booked sale, and a secret vote's box."""
    Transaction.objects.record(DAY, "Vente", [("512", 500), ("706", -500)], idempotency_key="a")
    decision = opened(alice, "yes_no", is_secret=True)
    decision.current_round.cast_secret_ballot(alice, "yes")
    decision.current_round.cast_secret_ballot(bob, "yes")


def rows() -> list:
    """What every guarded table holds, row by row, in a stable order."""
    return [
        list(ShareMovement.objects.order_by("pk").values_list("number", "quantity")),
        list(Transaction.objects.order_by("pk").values_list("number", "label")),
        list(Posting.objects.order_by("pk").values_list("account_id", "amount_cents")),
        list(JournalEntry.objects.order_by("pk").values_list("sequence", "ref", "hash")),
        list(Ballot.objects.order_by("sequence").values_list("receipt", "content", "hash")),
    ]


def refused(sql: str, match: str = "append-only") -> None:
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


@on_both
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_database_refuses_a_delete_by_sql(everything, table, _database):
    before = rows()

    refused(f"DELETE FROM {table}")  # noqa: S608 (names above)

    assert rows() == before


@on_both
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_database_refuses_an_update_by_sql(everything, table, _database):
    before = rows()

    refused(f"UPDATE {table} SET {APPEND_ONLY[table]}")  # noqa: S608 (names above)

    assert rows() == before


@on_both
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_each_table_says_why_it_refuses_a_change(everything, table, _database):
    refused(f"UPDATE {table} SET {APPEND_ONLY[table]}", match=REFUSAL[table])  # noqa: S608
    refused(f"DELETE FROM {table}", match=REFUSAL[table])  # noqa: S608


@pytest.mark.postgres
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_on_postgresql_one_function_refuses_update_and_delete_on_every_table(table, db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, t.tgtype FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = %s::regclass AND t.tgname = %s",
            [table, f"{table}_append_only"],
        )
        function, kind = cursor.fetchone()
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s", ["%refuse%"])
        refusing = [name for (name,) in cursor.fetchall()]

    assert function == "commun_refuse_change"
    row, before, delete, update = 1, 2, 8, 16  # pg_trigger.tgtype's bits
    assert kind & (row | before | delete | update) == row | before | delete | update
    assert refusing == ["commun_refuse_change"]


def insert_by_sql(postings, number=1) -> None:
    """Write a transaction behind the model's back, as a buggy or malicious client would."""
    Account.objects.load_chart()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction (number, date, label, idempotency_key, "
            "request_digest, recorded_at) VALUES (%s, %s, 'sql', %s, '', %s)",
            [number, DAY, f"sql-{number}", timezone.now()],
        )
        cursor.execute("SELECT id FROM ledger_transaction WHERE number = %s", [number])
        transaction_id = cursor.fetchone()[0]
        for code, cents in postings:
            cursor.execute(
                "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents) "
                "SELECT %s, id, %s FROM ledger_account WHERE code = %s",
                [transaction_id, cents, code],
            )


@on_both
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "postings",
    [[("512", 100), ("706", -99)], [("512", 100)], [], [("512", 100), ("706", -100), ("708", 5)]],
    ids=["unbalanced", "one-posting", "no-posting", "balanced-then-not"],
)
def test_the_database_refuses_at_commit_a_transaction_that_does_not_balance(postings, _database):
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_by_sql(postings)

    assert not Transaction.objects.exists() and not Posting.objects.exists()


@on_both
@pytest.mark.django_db(transaction=True)
def test_the_database_accepts_a_balanced_transaction_written_in_several_statements(_database):
    Transaction.objects.record(DAY, "Vente", [("512", 5), ("706", -5)], idempotency_key="b")
    with transaction.atomic():
        insert_by_sql([("512", 100), ("706", -60), ("708", 10), ("708", -50)], number=2)

    assert Account.objects.get(code="512").balance() == 105
    assert Transaction.objects.count() == 2


@on_both
@pytest.mark.django_db(transaction=True)
def test_the_register_and_the_box_survive_a_committed_test_and_its_flush(alice, bob, _database):
    """Transactional tests flush the tables between tests: the guards come back after it."""
    decision = opened(alice, "yes_no", is_secret=True)
    decision.current_round.cast_secret_ballot(bob, "no")

    refused("DELETE FROM decisions_ballot")
    refused("DELETE FROM members_sharemovement")
