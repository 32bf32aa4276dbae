"""SQLite keeps the books as PostgreSQL does (0002): no DELETE, and no unbalanced commit.

Append-only: DELETE is now refused on SQLite too. Test flushes drop the guards around
their DELETE (commun/testing/appendonly.py), not the production database.

Balanced: SQLite has no deferred triggers, but it has deferred foreign keys, checked at
COMMIT. A transaction that does not balance (fewer than two postings, or a non-zero sum)
has a row in `ledger_unbalanced` whose key points at a row that can never exist, so the
COMMIT fails while the row is there. Triggers keep that row exactly in step with the
postings: added when the transaction or a posting leaves it unbalanced, removed when a
posting balances it. It works whatever inserts the rows (the ORM, raw SQL, `commun
restore`) and in whichever order, as long as foreign keys are on (Django turns them on
for every connection; the `sqlite3` shell needs `PRAGMA foreign_keys = ON`).
"""

from django.db import migrations

# Every SQL string here is built from the names below, never from input.
# ruff: noqa: S608

TABLES = ["ledger_transaction", "ledger_posting", "ledger_journalentry"]


def balanced(transaction_id: str) -> str:
    return (
        "(SELECT count(*) >= 2 AND coalesce(sum(amount_cents), 0) = 0 "
        f"FROM ledger_posting WHERE transaction_id = {transaction_id})"
    )


def still_unbalanced(transaction_id: str) -> str:
    return (
        f"INSERT INTO ledger_unbalanced (transaction_id) SELECT {transaction_id} "
        f"WHERE NOT {balanced(transaction_id)} AND NOT EXISTS "
        f"(SELECT 1 FROM ledger_unbalanced WHERE transaction_id = {transaction_id});"
    )


REFUSED = "unbalanced ledger transaction: its postings must be two or more and sum to zero"
SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} BEGIN "
        f"SELECT RAISE(ABORT, 'append-only table {table}: record a reversal instead'); END;"
        for table in TABLES
    ),
    # Both checks can never hold for commit_refused (always 0) to name an existing row.
    """
    CREATE TABLE ledger_unbalanced (
        transaction_id integer NOT NULL PRIMARY KEY CHECK (transaction_id <> 0),
        commit_refused integer NOT NULL DEFAULT 0 CHECK (commit_refused = 0)
            REFERENCES ledger_unbalanced (transaction_id) DEFERRABLE INITIALLY DEFERRED
    );
    """,
    "CREATE TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_transaction BEGIN "
    f"{still_unbalanced('NEW.id')} END;",
    "CREATE TRIGGER ledger_posting_balanced AFTER INSERT ON ledger_posting BEGIN "
    "DELETE FROM ledger_unbalanced WHERE transaction_id = NEW.transaction_id "
    f"AND {balanced('NEW.transaction_id')}; "
    f"{still_unbalanced('NEW.transaction_id')} END;",
    # Nobody clears the mark by hand: only a balancing posting does.
    "CREATE TRIGGER ledger_unbalanced_until_balanced BEFORE DELETE ON ledger_unbalanced "
    f"WHEN NOT {balanced('OLD.transaction_id')} BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END;",
    "CREATE TRIGGER ledger_unbalanced_unchanged BEFORE UPDATE ON ledger_unbalanced "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_unbalanced_unchanged;",
    "DROP TRIGGER IF EXISTS ledger_unbalanced_until_balanced;",
    "DROP TRIGGER IF EXISTS ledger_posting_balanced;",
    "DROP TRIGGER IF EXISTS ledger_transaction_balanced;",
    "DROP TABLE IF EXISTS ledger_unbalanced;",
    *(f"DROP TRIGGER IF EXISTS {table}_append_only_delete;" for table in TABLES),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_monthly_totals_receipts_fiscal_years")]
    operations = [migrations.RunPython(forward, backward)]
