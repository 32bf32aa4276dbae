"""The ballot box's trigger calls the shared `commun_refuse_change()` (PostgreSQL).

Same trigger, same message: only `decisions_refuse_ballot_change()`, a copy of the
register's function, is gone. SQLite has no functions: its triggers are unchanged.
"""

from django.db import migrations

HINT = "a cast ballot is never changed nor removed"
TRIGGER = """
DROP TRIGGER decisions_ballot_append_only ON decisions_ballot;
CREATE TRIGGER decisions_ballot_append_only BEFORE UPDATE OR DELETE ON decisions_ballot
    FOR EACH ROW EXECUTE FUNCTION {function};
"""
FORWARD = (
    TRIGGER.format(function=f"commun_refuse_change('{HINT}')")
    + "DROP FUNCTION decisions_refuse_ballot_change();"
)
BACKWARD = f"""
CREATE FUNCTION decisions_refuse_ballot_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table decisions_ballot: {HINT}';
END $$ LANGUAGE plpgsql;
""" + TRIGGER.format(function="decisions_refuse_ballot_change()")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0008_tie_rule_and_honest_outcomes"),
        ("members", "0011_one_refusal_for_every_append_only_table"),
    ]
    operations = [migrations.RunPython(forward, backward)]
