"""Accounts added to the standard chart: 404, 457, 671, 771, and 789 for what missions spend."""

from django.db import migrations


def forward(apps, schema_editor):
    from commun.ledger.models import load_chart

    load_chart(apps.get_model("ledger", "Account"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_standard_chart")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
