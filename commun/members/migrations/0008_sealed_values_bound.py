"""Each row gets a seal id, and its address and IBAN are sealed again bound to it."""

import uuid

from django.db import migrations, models

import commun.privacy.fields

SEALED = {"Application": ["postal_address"], "Member": ["postal_address", "iban"]}


def give_seal_ids(apps, schema_editor):
    for name in SEALED:
        model = apps.get_model("members", name)
        rows = [
            model(pk=pk, seal_id=uuid.uuid4()) for pk in model.objects.values_list("pk", flat=True)
        ]
        model.objects.bulk_update(rows, ["seal_id"], batch_size=1000)


def reseal_existing_values(apps, schema_editor):
    """First-format values (bound to nothing), and text stored as typed, sealed bound."""
    from commun.privacy.resealing import reseal

    for name, columns in SEALED.items():
        model = apps.get_model("members", name)
        for column in columns:
            reseal(
                model,
                model._meta.get_field(column),
                connection=schema_editor.connection,
                migrating=True,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_register_refuses_delete_on_sqlite"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="seal_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="member",
            name="seal_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_seal_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="application",
            name="seal_id",
            field=commun.privacy.fields.seal_id_field(),
        ),
        migrations.AlterField(
            model_name="member",
            name="seal_id",
            field=commun.privacy.fields.seal_id_field(),
        ),
        migrations.RunPython(reseal_existing_values, migrations.RunPython.noop),
    ]
