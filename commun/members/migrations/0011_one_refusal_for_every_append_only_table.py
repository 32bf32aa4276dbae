"""One PL/pgSQL function refuses a change on every append-only table (PostgreSQL only).

`commun_refuse_change()` (0002) now takes what to do instead as its trigger argument, so the
books and the ballot box point their triggers at it (ledger 0007, decisions 0009) and drop
their own copies. The register's trigger passes none: the function's default is its hint.
SQLite has no functions: its triggers are unchanged.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION commun_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: %', TG_TABLE_NAME,
        coalesce(TG_ARGV[0], 'record a correction instead');
END $$ LANGUAGE plpgsql;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION commun_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: record a correction instead', TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # the SQL holds a literal %


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("members", "0010_silence_is_consent_by_default")]
    operations = [migrations.RunPython(forward, backward)]
