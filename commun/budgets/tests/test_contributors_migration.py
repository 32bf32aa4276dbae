"""Migrations `budgets/0009` and `0010`: a mission from before co-remuneration is its
proposer's alone — the charter's example costs and pays exactly as before, and each of
its past payments names the proposer as the person paid."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commun.budgets.cash import cash_months
from commun.budgets.models import Mission, MissionPayment
from commun.testing.budgets import CHARTER, CHARTER_COST_CENTS, adopt, fund, submitted

BEFORE = ("budgets", "0008_recurring_income_author")
AFTER = ("budgets", "0010_payment_names_its_contributor")


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_charters_example_is_its_proposers_alone_after_migrating(alice, bob):
    fund(6_000_000)
    mission = submitted(bob, **CHARTER)
    adopt(mission, alice)
    mission.record_payment(
        alice,
        kind="payroll",
        on=datetime.date(2026, 2, 1),
        label="Paie de janvier",
        amount_cents=250_000,
        idempotency_key="janvier",
    )
    timeline = cash_months(mission)

    old = migrate(BEFORE)
    fields = old.get_model("budgets", "MissionPayment")._meta.get_fields()
    assert "contributor" not in {field.name for field in fields}
    migrate(AFTER)

    mission = Mission.objects.get(pk=mission.pk)
    assert mission.full_cost_cents == CHARTER_COST_CENTS == 2_440_344
    assert mission.cost().total_cents == CHARTER_COST_CENTS
    assert cash_months(mission) == timeline
    assert [(row["member_id"], row["planned_cents"]) for row in mission.paid_by_contributor()] == [
        (bob.pk, CHARTER_COST_CENTS)
    ]
    assert MissionPayment.objects.get(mission=mission).contributor_id == bob.pk
