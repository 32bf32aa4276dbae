"""The member's index goes from the eligibility rows, which an opening writes 100,000 at
once (about 30 % of an opening on PostgreSQL). Only a member's export and a member's
deletion look rows up by member alone. Only the index goes: neither engine copies the table.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "decisions_eligibility_member_id_152637ab"


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0012_eligibility_copied_without_row_checks"),
        ("members", "0012_profit_allocation_by_the_statutes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="eligibility",
                    name="member",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="eligibilities",
                        to="members.member",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    f'CREATE INDEX "{INDEX}" ON "decisions_eligibility" ("member_id")',
                )
            ],
        )
    ]
