"""SQLite now refuses DELETE on the register too, as PostgreSQL always did (0002).

Test flushes drop the guards around their DELETE (commun/testing/appendonly.py), so the
production database no longer leaves DELETE open for the tests' sake.
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER members_sharemovement_append_only_delete BEFORE DELETE ON members_sharemovement
BEGIN
    SELECT RAISE(ABORT, 'append-only table members_sharemovement: record a correction instead');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS members_sharemovement_append_only_delete;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("members", "0006_member_members_visibility")]
    operations = [migrations.RunPython(forward, backward)]
