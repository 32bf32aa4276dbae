"""The eligibility rows are keyed by (decision, member): one index per row an opening writes,
where the `id` primary key, its sequence and the unique `eligible_once` made two indexes and
a sequence call per row. A stance no longer points at its eligibility row (it names its
round, so its decision, and its member): `take_stance` reads the row under the round's lock.

Neither engine turns an `id` key into a composite one in place through Django: the rows are
copied into a table made with the new key, which then takes the old one's name.
"""

import django.db.models.deletion
from django.db import migrations, models


def fields(reverse: bool):
    """Eligibility's fields; the copy's keys have no reverse accessors, to sit beside it."""

    def related(name: str | None) -> dict:
        if not reverse:
            return {"related_name": "+"}
        return {"related_name": name} if name else {}

    keys = {"db_constraint": False, "db_index": False}
    return [
        (
            "decision",
            models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                to="decisions.decision",
                **keys,
                **related("eligible"),
            ),
        ),
        (
            "member",
            models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                to="members.member",
                **keys,
                **related("eligibilities"),
            ),
        ),
        (
            "college",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="members.college",
                **keys,
                **related(None),
            ),
        ),
        (
            "pk",
            models.CompositePrimaryKey(
                "decision", "member", blank=True, editable=False, primary_key=True, serialize=False
            ),
        ),
    ]


def copy(source: str, target: str) -> str:
    return (
        f"INSERT INTO {target} (decision_id, member_id, college_id) "  # noqa: S608
        f"SELECT decision_id, member_id, college_id FROM {source}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0013_eligibility_without_member_index"),
        ("members", "0012_profit_allocation_by_the_statutes"),
    ]

    operations = [
        migrations.RemoveField(model_name="stance", name="eligibility"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Eligibility"),
                migrations.CreateModel(name="Eligibility", fields=fields(reverse=True)),
            ],
            database_operations=[
                migrations.CreateModel(
                    name="EligibilityKeyed",
                    fields=fields(reverse=False),
                    options={"db_table": "decisions_eligibility_keyed"},
                ),
                migrations.RunSQL(
                    copy("decisions_eligibility", "decisions_eligibility_keyed"),
                    copy("decisions_eligibility_keyed", "decisions_eligibility"),
                ),
                migrations.DeleteModel(name="Eligibility"),
                migrations.AlterModelTable(name="EligibilityKeyed", table="decisions_eligibility"),
            ],
        ),
    ]
