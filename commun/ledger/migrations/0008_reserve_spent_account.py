"""The account 1068-CONSO, where a spent commitment waits for the close (docs/accounting.md).

Adds an account only: no recorded entry is rewritten. Entries booked with 789 under the old
scheme stay as they are and read as docs/accounting.md says.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from commun.ledger.models import load_chart

    load_chart(apps.get_model("ledger", "Account"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_one_refusal_for_every_append_only_table")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
