"""The treasury forecast: the bank, less what adopted missions and planned gifts still pay,
plus the officers' recurring income, month by month; and the adoption it refuses."""

import calendar
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from commun.budgets import forecast
from commun.budgets.cash import add_months
from commun.budgets.forecast import mission_outflows, treasury_forecast
from commun.budgets.models import RecurringIncome
from commun.ledger import funds
from commun.ledger.models import Transaction
from commun.testing.budgets import (
    CHARTER,
    adopt,
    fund,
    invoice,
    reserve_without_cash,
    submitted,
)
from commun.testing.upstream import fill_fund, projects
from commun.upstream.models import Gift

pytestmark = pytest.mark.django_db


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def spread_from_next_month(amount_cents: int, months: int = 3) -> dict:
    """An invoice paid evenly over `months` months from next month."""
    return invoice(amount_cents, start_on=add_months(this_month(), 1), duration_months=months)


def test_it_starts_from_the_bank_and_the_till():
    shares = treasury_forecast().bank_cents  # the members' shares, paid in
    fund(120_000)
    Transaction.objects.record(
        datetime.date(2026, 3, 1), "Vente", [("530", 5_000), ("706", -5_000)], idempotency_key="v"
    )

    result = treasury_forecast()

    assert result.bank_cents == shares + 125_000
    assert len(result.months) == 12
    assert result.months[0].month == this_month()
    assert [m.balance_cents for m in result.months] == [shares + 125_000] * 12


def test_a_salaried_missions_outflows_are_its_stored_months_to_the_cent(bob):
    mission = submitted(bob, **CHARTER)

    outflows = mission_outflows(mission)

    assert [month for month, _cents in outflows] == [
        datetime.date(2026, month, 1) for month in range(1, 7)
    ]
    assert sum(cents for _month, cents in outflows) == mission.full_cost_cents


def test_an_invoice_is_spread_evenly_its_odd_cents_last(bob):
    mission = submitted(bob, **invoice(100_001, duration_months=3))

    assert [cents for _month, cents in mission_outflows(mission)] == [33_333, 33_334, 33_334]


def test_an_adopted_mission_takes_each_of_its_months_out(alice, bob):
    fund(1_000_000)
    mission = submitted(bob, **spread_from_next_month(300_000))
    assert adopt(mission, alice) == "adopted"

    result = treasury_forecast()
    bank, months = result.bank_cents, result.months

    assert [m.missions_cents for m in months[:5]] == [0, 100_000, 100_000, 100_000, 0]
    assert [bank - m.balance_cents for m in months[:5]] == [0, 100_000, 200_000, 300_000, 300_000]


def test_what_was_paid_settles_the_earliest_months_and_overdue_months_fall_due_now(alice, bob):
    fund(1_000_000)
    mission = submitted(bob, **invoice(300_000, duration_months=3))  # January to March 2026
    adopt(mission, alice)
    mission.record_payment(
        alice,
        kind="invoice",
        on=timezone.localdate(),
        label="Facture 1",
        amount_cents=100_000,
        idempotency_key="p1",
    )

    result = treasury_forecast()
    months = result.months

    assert months[0].missions_cents == 200_000
    assert months[0].balance_cents == result.bank_cents - 200_000
    assert all(m.missions_cents == 0 for m in months[1:])


def test_a_top_up_is_due_in_the_missions_last_month(bob):
    mission = submitted(bob, **spread_from_next_month(300_000))

    left = forecast.still_to_pay(mission, committed_cents=350_000, paid_cents=0)

    assert [cents for _month, cents in left] == [100_000, 100_000, 150_000]


def test_planned_gifts_leave_this_month(alice):
    fund(100_000)
    fill_fund(50_000)
    Gift.objects.plan(alice, project=projects(1)[0], amount_cents=20_000, reference="AG 2026")

    result = treasury_forecast()
    months = result.months

    assert months[0].gifts_cents == 20_000
    assert months[0].balance_cents == months[-1].balance_cents == result.bank_cents - 20_000


def test_recurring_income_comes_at_its_pace_until_its_end(alice):
    start = add_months(this_month(), 1).replace(day=10)
    RecurringIncome.add(alice, label="Adhésions", amount_cents=1_000, starts_on=start)
    RecurringIncome.add(
        alice, label="Subvention", amount_cents=30_000, frequency="quarterly", starts_on=start
    )
    RecurringIncome.add(
        alice,
        label="Contrat",
        amount_cents=500_000,
        frequency="yearly",
        starts_on=start,
        ends_on=add_months(start, 2),
    )

    income = [m.income_cents for m in treasury_forecast().months]

    assert income[0] == 0
    assert income[1] == 1_000 + 30_000 + 500_000
    assert income[2:4] == [1_000, 1_000]
    assert income[4] == 1_000 + 30_000
    assert sum(income) == 11 * 1_000 + 4 * 30_000 + 500_000


def test_an_ended_income_no_longer_counts(alice):
    start = add_months(this_month(), 1)
    income = RecurringIncome.add(alice, label="Adhésions", amount_cents=1_000, starts_on=start)

    income.end(alice, on=add_months(start, 2))

    assert sum(m.income_cents for m in treasury_forecast().months) == 3 * 1_000


def test_the_lowest_month_is_found(alice, bob):
    fund(1_000_000)
    adopt(submitted(bob, **spread_from_next_month(300_000)), alice)
    RecurringIncome.add(
        alice, label="Client", amount_cents=250_000, starts_on=add_months(this_month(), 3)
    )

    result = treasury_forecast()

    bank = result.bank_cents
    assert [bank - m.balance_cents for m in result.months[:4]] == [0, 100_000, 200_000, 50_000]
    assert result.lowest.month == add_months(this_month(), 2)
    assert result.lowest.balance_cents == bank - 200_000
    assert result.first_overdrawn is None


FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def test_an_adoption_overdrawing_a_month_is_refused_naming_it(alice, bob):
    fund(100_000)
    reserve_without_cash(500_000)
    mission = submitted(bob, **spread_from_next_month(300_000))
    committed = funds.committed_cents()

    with pytest.raises(ValidationError) as refused:
        adopt(mission, alice)

    overdrawn = add_months(this_month(), 2)
    assert refused.value.code == "forecast_overdrawn"
    assert f"{FRENCH_MONTHS[overdrawn.month - 1]} {overdrawn.year}" in refused.value.messages[0]
    mission.refresh_from_db()
    assert mission.status == "submitted"
    assert funds.committed_cents() == committed
    assert treasury_forecast().first_overdrawn is None


def test_the_refusal_names_the_month_in_the_readers_language(alice, bob):
    fund(100_000)
    reserve_without_cash(500_000)
    mission = submitted(bob, **spread_from_next_month(300_000))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        adopt(mission, alice)

    overdrawn = add_months(this_month(), 2)
    assert f"{calendar.month_name[overdrawn.month]} {overdrawn.year}" in refused.value.messages[0]
    assert "would fall below zero" in refused.value.messages[0]


def test_expected_income_lets_the_same_adoption_through(alice, bob):
    fund(100_000)
    reserve_without_cash(500_000)
    RecurringIncome.add(
        alice, label="Client", amount_cents=100_000, starts_on=add_months(this_month(), 1)
    )
    mission = submitted(bob, **spread_from_next_month(300_000))

    assert adopt(mission, alice) == "adopted"
    result = treasury_forecast()
    assert result.lowest.balance_cents == result.bank_cents


def test_the_reserve_guard_still_speaks_first(alice, bob):
    fund(100_000)
    mission = submitted(bob, **spread_from_next_month(300_000))

    with pytest.raises(ValidationError) as refused:
        adopt(mission, alice)

    assert refused.value.code == "reserve_insufficient"


def test_the_forecast_reads_a_bounded_number_of_queries(alice, bob):
    fund(10_000_000)
    RecurringIncome.add(alice, label="Client", amount_cents=1_000, starts_on=this_month())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            treasury_forecast()
        return len(captured)

    adopt(submitted(bob, **spread_from_next_month(30_000)), alice)
    one = queries()
    for _ in range(4):
        adopt(submitted(bob, **spread_from_next_month(30_000)), alice)

    assert queries() == one <= 5
