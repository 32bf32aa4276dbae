"""The database itself keeps the books: no row changes, and every transaction balances.

Append-only: UPDATE is refused on SQLite and PostgreSQL; DELETE on PostgreSQL only, since
Django's test flush empties SQLite tables with DELETE (the ORM refuses deletes there). On
PostgreSQL flush uses TRUNCATE, which row triggers do not see.

Balanced: on PostgreSQL, deferred constraint triggers check at commit that each
transaction has at least two postings summing to zero. SQLite has no deferred triggers:
there `Transaction.objects.record()` is the guard (it validates the whole request first).
"""

from django.db import migrations

APPEND_ONLY = ["ledger_transaction", "ledger_posting", "ledger_journalentry"]

PG_FORWARD = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: record a reversal instead', TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
"""
    for table in APPEND_ONLY
) + """
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger AS $$
DECLARE
    total bigint;
    lines bigint;
    checked bigint;
BEGIN
    IF TG_TABLE_NAME = 'ledger_posting' THEN
        checked := NEW.transaction_id;
    ELSE
        checked := NEW.id;
    END IF;
    SELECT coalesce(sum(amount_cents), 0), count(*) INTO total, lines
        FROM ledger_posting WHERE transaction_id = checked;
    IF lines < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'unbalanced ledger transaction %: % posting(s) summing to % cents',
            checked, lines, total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER ledger_posting_balanced
    AFTER INSERT ON ledger_posting DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
CREATE CONSTRAINT TRIGGER ledger_transaction_balanced
    AFTER INSERT ON ledger_transaction DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
"""
PG_BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in APPEND_ONLY
) + """
DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;
DROP TRIGGER IF EXISTS ledger_transaction_balanced ON ledger_transaction;
DROP FUNCTION IF EXISTS ledger_check_balanced();
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)  # the SQL holds literal %
        return
    for table in APPEND_ONLY:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'append-only table {table}: record a reversal instead'); END;"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
        return
    for table in APPEND_ONLY:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
