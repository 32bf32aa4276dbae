"""The register keeps a departed associate's identity, not their email: drop it from the
records sealed before erasure stopped keeping it."""

import json
import logging

from django.db import migrations

from commun.privacy.crypto import UndecryptableValue


def forget_emails(apps, schema_editor):
    """A record that does not open (its key is not configured, or it was altered) is left as
    it is and named in a warning: one unreadable row must not stop the upgrade."""
    RestrictedRecord = apps.get_model("privacy", "RestrictedRecord")
    unopened = []
    for record in RestrictedRecord.objects.iterator():
        try:
            content = json.loads(record.content)
        except UndecryptableValue as error:
            unopened.append(str(error))
            continue
        if "email" in content:
            del content["email"]
            record.content = json.dumps(content, ensure_ascii=False)
            record.save(update_fields=["content"])
    if unopened:
        logging.getLogger(__name__).warning(
            "%d restricted record(s) could not be opened (their key is not in "
            "COMMUN_DATA_KEYS, or they were altered) and were left as they are, email "
            "included:\n%s",
            len(unopened),
            "\n".join(unopened),
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_restrictedrecord_seal_id")]

    operations = [migrations.RunPython(forget_emails, migrations.RunPython.noop)]
