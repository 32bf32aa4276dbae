from django.db import migrations

# The expressions are exactly those SearchVector(field, config="french") writes, so that
# PostgreSQL answers `search()` from these indexes. SQLite searches without them.
INDEXES = {
    "deliberation_comment_search": ("deliberation_comment", "body"),
    "deliberation_thread_search": ("deliberation_thread", "title"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('french'::regconfig, COALESCE({column}, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0003_spaces_for_everyone")]

    operations = [migrations.RunPython(create, drop)]
