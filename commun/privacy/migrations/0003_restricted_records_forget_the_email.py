"""The register keeps a departed associate's identity, not their email: drop it from the
records sealed before erasure stopped keeping it."""

import json

from django.db import migrations


def forget_emails(apps, schema_editor):
    RestrictedRecord = apps.get_model("privacy", "RestrictedRecord")
    for record in RestrictedRecord.objects.iterator():
        content = json.loads(record.content)
        if "email" in content:
            del content["email"]
            record.content = json.dumps(content, ensure_ascii=False)
            record.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_restrictedrecord_seal_id")]

    operations = [migrations.RunPython(forget_emails, migrations.RunPython.noop)]
