"""The database itself refuses to change a register row (the ORM refuses too).

On SQLite only UPDATE is refused: Django's test flush empties tables with DELETE there,
and the ORM guard refuses deletes. On PostgreSQL flush uses TRUNCATE, so both are refused.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION commun_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: record a correction instead', TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER members_sharemovement_append_only
    BEFORE UPDATE OR DELETE ON members_sharemovement
    FOR EACH ROW EXECUTE FUNCTION commun_refuse_change();
"""
PG_BACKWARD = "DROP TRIGGER IF EXISTS members_sharemovement_append_only ON members_sharemovement;"
SQLITE_FORWARD = """
CREATE TRIGGER members_sharemovement_append_only BEFORE UPDATE ON members_sharemovement
BEGIN SELECT RAISE(ABORT, 'append-only table members_sharemovement: record a correction instead'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS members_sharemovement_append_only;"


def forward(apps, schema_editor):
    sql = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    schema_editor.execute(sql, params=None)  # the SQL holds a literal %


def backward(apps, schema_editor):
    sql = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    schema_editor.execute(sql, params=None)  # the SQL holds a literal %


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
