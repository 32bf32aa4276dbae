"""Each restricted record gets a seal id, and its content is sealed again bound to it."""

import uuid

from django.db import migrations, models

import commun.privacy.fields


def give_seal_ids(apps, schema_editor):
    model = apps.get_model("privacy", "RestrictedRecord")
    rows = [model(pk=pk, seal_id=uuid.uuid4()) for pk in model.objects.values_list("pk", flat=True)]
    model.objects.bulk_update(rows, ["seal_id"], batch_size=1000)


def reseal_existing_values(apps, schema_editor):
    from commun.privacy.resealing import reseal

    model = apps.get_model("privacy", "RestrictedRecord")
    reseal(
        model,
        model._meta.get_field("content"),
        connection=schema_editor.connection,
        migrating=True,
    )


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
