"""Two indexes fewer on the eligibility rows, which an opening writes 100,000 at once.

The decision's is the start of `eligible_once`; the college's served no reading. Only the
indexes go: the foreign keys stay, and neither engine copies nor re-checks the table.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "college": "decisions_eligibility_college_id_89c4a1da",
    "decision": "decisions_eligibility_decision_id_a8225a68",
}


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0010_decision_overdue_flagged_at"),
        ("members", "0011_one_refusal_for_every_append_only_table"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="eligibility",
                    name="college",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="members.college",
                    ),
                ),
                migrations.AlterField(
                    model_name="eligibility",
                    name="decision",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="eligible",
                        to="decisions.decision",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX "{name}" ON "decisions_eligibility" ("{field}_id")',
                )
                for field, name in INDEXES.items()
            ],
        )
    ]
