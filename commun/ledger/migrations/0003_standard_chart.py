"""The standard accounts (PCG) and the reserve's fund sub-accounts (see ledger/chart.py)."""

from django.db import migrations


def forward(apps, schema_editor):
    from commun.ledger.models import load_chart

    load_chart(apps.get_model("ledger", "Account"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_and_balanced")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
