"""Each kind of assembly starts with a SCIC's defaults, so reading the rules writes nothing."""

from django.db import migrations

DEFAULTS = {
    "ordinary": {"quorum_first": "1/5", "quorum_second": "0", "majority": "1/2"},
    "extraordinary": {"quorum_first": "1/4", "quorum_second": "1/5", "majority": "2/3"},
    "ordinary_extraordinary": {"quorum_first": "1/5", "quorum_second": "0", "majority": "1/2"},
}


def write_defaults(apps, schema_editor):
    AssemblyRules = apps.get_model("assemblies", "AssemblyRules")
    for kind, values in DEFAULTS.items():
        AssemblyRules.objects.get_or_create(kind=kind, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("assemblies", "0001_assemblies_rules_and_convocation")]
    operations = [migrations.RunPython(write_defaults, migrations.RunPython.noop)]
