"""Indexes that keep the directory and the register fast with 100,000 members.

On PostgreSQL, trigram indexes let the directory's search (`icontains`, which Django writes
`UPPER(column) LIKE UPPER(%s)`) find its matches without reading every member. They need
the `pg_trgm` extension (trusted since PostgreSQL 13: the database's owner may create it);
where it cannot be created, search still works, by reading the table. SQLite has no such
index: its search stays a scan, bounded by the directory (see members.views.directory).
"""

import logging

from django.db import migrations, models, transaction

TRIGRAM_COLUMNS = ["first_name", "last_name", "organisation_name", "pseudonym"]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 — a missing extension must not block the upgrade
        logging.getLogger(__name__).warning("pg_trgm unavailable, search without index: %s", error)
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS members_member_{column}_trgm ON members_member "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS members_member_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_conversations")]

    operations = [
        migrations.RemoveIndex(model_name="member", name="members_mem_status_655784_idx"),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["status", "number", "id"], name="member_status_number"),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["status", "category", "number", "id"], name="member_status_category"
            ),
        ),
        migrations.AddIndex(
            model_name="sharemovement",
            index=models.Index(fields=["kind", "number", "id"], name="movement_kind_number"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
