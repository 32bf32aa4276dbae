"""Each row gets a seal id, and its address and IBAN are sealed again bound to it."""

from django.db import migrations, models

import commun.privacy.fields
from commun.privacy import resealing

SEALED = {"Application": ["postal_address"], "Member": ["postal_address", "iban"]}


def give_seal_ids(apps, schema_editor):
    for name in SEALED:
        resealing.give_seal_ids(apps.get_model("members", name))


def reseal_existing_values(apps, schema_editor):
    """First-format values (bound to nothing), and text stored as typed, sealed bound."""
    for name, columns in SEALED.items():
        resealing.reseal_in_migration(apps.get_model("members", name), columns, schema_editor)


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
