"""The database itself refuses to change or remove a ballot, on SQLite and PostgreSQL.

The hash chain shows a changed box afterwards; these triggers stop the change in the first
place. Test flushes drop them around their DELETE (commun/testing/appendonly.py).
"""

from django.db import migrations

MESSAGE = "append-only table decisions_ballot: a cast ballot is never changed nor removed"
PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION decisions_refuse_ballot_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER decisions_ballot_append_only BEFORE UPDATE OR DELETE ON decisions_ballot
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_ballot_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS decisions_ballot_append_only ON decisions_ballot;
DROP FUNCTION IF EXISTS decisions_refuse_ballot_change();
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER decisions_ballot_append_only{suffix} BEFORE {verb} ON decisions_ballot "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    for suffix, verb in (("", "UPDATE"), ("_delete", "DELETE"))
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS decisions_ballot_append_only;",
    "DROP TRIGGER IF EXISTS decisions_ballot_append_only_delete;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
        return
    for sql in SQLITE_FORWARD:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
        return
    for sql in SQLITE_BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0005_stance_latest_in_round")]
    operations = [migrations.RunPython(forward, backward)]
