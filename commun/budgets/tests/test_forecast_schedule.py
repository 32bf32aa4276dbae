"""Adoption stores a mission's cash timeline; the forecast adds those integers up and finds
what reading every mission's stored cost (`cash.payments_by_month`) found."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commun.budgets import forecast
from commun.budgets.cash import add_months, cash_months, month_number, month_of_number
from commun.budgets.forecast import treasury_forecast
from commun.budgets.models import Mission, MissionCashMonth
from commun.testing.budgets import CHARTER, adopt, fund, invoice, need_by, submitted

pytestmark = pytest.mark.django_db


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def test_adoption_stores_the_cash_timeline_payments_by_month_gives(alice, bob):
    fund(10_000_000)
    mission = submitted(bob, **CHARTER | {"start_on": add_months(this_month(), 1)})
    assert not mission.cash_schedule.exists()  # submitted: nothing is promised yet

    adopt(mission, alice)

    stored = [(row.month, row.cents) for row in mission.cash_schedule.all()]
    assert stored == cash_months(mission)
    assert sum(cents for _month, cents in stored) == mission.full_cost_cents


def test_a_month_number_is_the_month_and_back():
    for month in (datetime.date(2026, 1, 1), datetime.date(2026, 12, 1), datetime.date(1, 1, 1)):
        assert month_of_number(month_number(month)) == month
    assert month_number(datetime.date(2027, 1, 1)) == month_number(datetime.date(2026, 12, 1)) + 1


def bulk_adopted(proposer, terms: list[tuple[str, int, int, int, int]], stored: bool):
    """Adopted missions written straight to the database (as `bench/treasury.py` does):
    (pay form, months from now, duration, cost, a top-up if positive, else released)."""
    need = need_by(proposer)
    missions = Mission.objects.bulk_create(
        Mission(
            need=need,
            proposer=proposer,
            ref=f"H{index}",
            title="Mission",
            scope="Portée.",
            deliverables="Livrables.",
            start_on=add_months(this_month(), offset),
            duration_months=duration,
            pay_form=pay_form,
            amount_cents=cost,
            vat_rate_bp=0,
            estimated_hours=1 if pay_form == "co_remuneration" else None,
            hourly_rate_cents=cost if pay_form == "co_remuneration" else None,
            full_cost_cents=cost,
            cost_engine=pay_form,
            cost_breakdown={"total_cents": cost},
            committed_cents=cost + max(difference, 0),
            released_cents=min(max(-difference, 0), cost),
            status=Mission.Status.ADOPTED,
        )
        for index, (pay_form, offset, duration, cost, difference) in enumerate(terms)
    )
    if stored:
        MissionCashMonth.objects.write_for(missions)
    return missions


def read_from_each_cost() -> list[int]:
    """Each month's missions' outflows the way the forecast found them before the timelines
    were stored: every mission's cost through `still_to_pay`."""
    months = treasury_forecast().months
    out = dict.fromkeys((month.month for month in months), 0)
    for mission in Mission.objects.filter(status__in=Mission.PAYABLE):
        committed = mission.committed_cents - mission.released_cents
        for month, cents in forecast.still_to_pay(mission, committed, 0):
            month = max(month, months[0].month)
            if month in out:
                out[month] += cents
    return list(out.values())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    terms=st.lists(
        st.tuples(
            st.sampled_from(["invoice", "expenses", "co_remuneration"]),
            st.integers(-8, 14),
            st.integers(1, 9),
            st.integers(1, 5_000_000),
            st.integers(-6_000_000, 3_000_000),
        ),
        max_size=8,
    ),
    stored=st.booleans(),
)
def test_the_stored_timelines_forecast_what_each_missions_cost_does(bob, terms, stored):
    Mission.objects.filter(ref__startswith="H").delete()
    bulk_adopted(bob, terms, stored)

    assert [month.missions_cents for month in treasury_forecast().months] == (read_from_each_cost())


def test_a_partly_paid_mission_is_settled_from_its_own_rows(alice, bob):
    fund(1_000_000)
    whole = submitted(bob, **invoice(300_000, start_on=this_month(), duration_months=3))
    partly = submitted(bob, **invoice(600_000, start_on=this_month(), duration_months=3))
    adopt(whole, alice)
    adopt(partly, alice)
    partly.record_payment(
        alice,
        kind="invoice",
        on=timezone.localdate(),
        label="Facture 1",
        amount_cents=250_000,
        idempotency_key="p1",
    )

    months = [month.missions_cents for month in treasury_forecast().months]

    # the payment settles the earliest months: 200,000 of the first, 50,000 of the second
    assert months[:4] == [100_000, 100_000 + 150_000, 100_000 + 200_000, 0]


def test_the_forecast_reads_as_many_queries_at_fifty_missions_as_at_five(bob):
    fund(100_000_000)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            treasury_forecast()
        return len(captured)

    bulk_adopted(bob, [("invoice", 1, 3, 30_000, 0)] * 4 + [("invoice", 1, 3, 30_000, 5)], True)
    few = queries()
    Mission.objects.filter(ref__startswith="H").delete()
    bulk_adopted(
        bob, [("invoice", 1, 3, 30_000, 0)] * 40 + [("invoice", 1, 3, 30_000, 5)] * 10, True
    )

    assert queries() == few <= 7


def test_the_migration_stores_the_timelines_of_missions_adopted_before_it(alice, bob):
    """What `commit_budget` would have stored, for the missions adopted before the table."""
    migration = importlib.import_module("commun.budgets.migrations.0007_mission_cash_schedule")
    fund(10_000_000)
    adopted = submitted(bob, **CHARTER | {"start_on": add_months(this_month(), 1)})
    adopt(adopted, alice)
    submitted(bob, **invoice(50_000))  # not adopted: nothing to store
    expected = [(row.month, row.cents) for row in MissionCashMonth.objects.all()]
    MissionCashMonth.objects.all().delete()

    migration.schedule_the_adopted_missions(apps, None)

    assert [(row.month, row.cents) for row in MissionCashMonth.objects.all()] == expected
    assert {row.mission_id for row in MissionCashMonth.objects.all()} == {adopted.pk}
