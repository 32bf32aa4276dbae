"""Each restricted record gets a seal id, and its content is sealed again bound to it."""

from django.db import migrations, models

import commun.privacy.fields
from commun.privacy import resealing


def give_seal_ids(apps, schema_editor):
    resealing.give_seal_ids(apps.get_model("privacy", "RestrictedRecord"))


def reseal_existing_values(apps, schema_editor):
    model = apps.get_model("privacy", "RestrictedRecord")
    resealing.reseal_in_migration(model, ["content"], schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="restrictedrecord",
            name="seal_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_seal_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="restrictedrecord",
            name="seal_id",
            field=commun.privacy.fields.seal_id_field(),
        ),
        migrations.RunPython(reseal_existing_values, migrations.RunPython.noop),
    ]
