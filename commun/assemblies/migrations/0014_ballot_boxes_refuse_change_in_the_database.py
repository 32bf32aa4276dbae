"""The database itself refuses to change or remove a ballot in an assembly's boxes (the
secret vote's and the election's), on SQLite and PostgreSQL, as it does for the decisions'
box (decisions 0006, 0009): the models' refusal covers the ORM only.

PostgreSQL points the triggers at the shared `commun_refuse_change()` (members 0011).
Test flushes drop the SQLite triggers around their DELETE (commun/testing/appendonly.py).
"""

from django.db import migrations

TABLES = ["assemblies_secretballot", "assemblies_electionballot"]
HINT = "a cast ballot is never changed nor removed"
PG_FORWARD = "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION commun_refuse_change('{HINT}');
"""
    for table in TABLES
)
PG_BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES)
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_append_only{suffix} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {HINT}'); END;"
    for table in TABLES
    for suffix, verb in (("", "UPDATE"), ("_delete", "DELETE"))
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_append_only{suffix};"
    for table in TABLES
    for suffix in ("", "_delete")
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
    dependencies = [
        ("assemblies", "0013_minutes_draft_hash"),
        ("members", "0011_one_refusal_for_every_append_only_table"),
    ]
    operations = [migrations.RunPython(forward, backward)]
