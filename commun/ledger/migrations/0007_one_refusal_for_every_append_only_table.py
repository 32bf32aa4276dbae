"""The books' append-only triggers call the shared `commun_refuse_change()` (PostgreSQL).

Same tables, same trigger names, same message: only `ledger_refuse_change()`, a copy of
the register's function, is gone. SQLite has no functions: its triggers are unchanged.
"""

from django.db import migrations

TABLES = ["ledger_transaction", "ledger_posting", "ledger_journalentry"]


def triggers(function: str) -> str:
    return "".join(
        f"""
DROP TRIGGER {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function};
"""
        for table in TABLES
    )


FORWARD = triggers("commun_refuse_change('record a reversal instead')") + """
DROP FUNCTION ledger_refuse_change();
"""
BACKWARD = """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: record a reversal instead', TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
""" + triggers("ledger_refuse_change()")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)  # the SQL holds a literal %


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_append_only_and_balanced_on_sqlite"),
        ("members", "0011_one_refusal_for_every_append_only_table"),
    ]
    operations = [migrations.RunPython(forward, backward)]
