"""Co-remuneration: several members paid on one mission, each with their own form of pay;
the mission costs the sum of their costs, and its cash timeline adds up each one's."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from commun.budgets.cash import add_months, cash_months, payments_by_month
from commun.budgets.forecast import treasury_forecast
from commun.budgets.models import Mission, MissionCashMonth, MissionContributor, PayForm
from commun.ledger import funds
from commun.testing.budgets import (
    CHARTER,
    CHARTER_COST_CENTS,
    adopt,
    draft,
    fund,
    invoice,
    reserve_without_cash,
    shown,
)

pytestmark = pytest.mark.django_db

SALARIED = {name: CHARTER[name] for name in ("pay_form", "contract", "working_time_percent")} | {
    "monthly_amount_cents": CHARTER["monthly_amount_cents"],
    "amount_basis": CHARTER["amount_basis"],
}


def co_remunerated(hours: int = 10, rate: int = 5_000) -> dict:
    return {"pay_form": "co_remuneration", "estimated_hours": hours, "hourly_rate_cents": rate}


def test_a_mission_costs_its_proposers_pay_plus_each_contributors(bob, gus):
    """Bob invoices 1,000 € excl. VAT at 20 % (1,200 €); Gus is salaried as in the charter's
    example (24,403.44 €, hand-checked in test_charter_example): 25,603.44 € in all."""
    mission = draft(bob, **invoice(100_000, 2_000, duration_months=6))
    mission.add_contributor(bob, gus, **SALARIED)

    cost = mission.cost()

    assert cost.total_cents == 120_000 + CHARTER_COST_CENTS == 2_560_344
    parts = cost.breakdown["contributors"]
    assert [(part["member"], part["total_cents"]) for part in parts] == [
        (bob.pk, 120_000),
        (gus.pk, CHARTER_COST_CENTS),
    ]
    assert parts[1]["terms"]["contract"] == "cdd"


def test_the_cash_timeline_adds_up_each_contributors_timeline(bob, gus):
    mission = draft(bob, **invoice(60_000, duration_months=6))
    mission.add_contributor(bob, gus, **SALARIED)
    mission.submit(bob)
    mission.refresh_from_db()
    charter_alone = draft(bob, **CHARTER).cost()

    months = cash_months(mission)

    assert sum(cents for _month, cents in months) == mission.full_cost_cents
    charter_cash = [row["cash_cents"] for row in charter_alone.months]
    assert [cents for _month, cents in months] == [cents + 10_000 for cents in charter_cash]
    accrual = sum(row["employer_cost_cents"] for row in mission.cost_breakdown["months"])
    assert accrual == mission.full_cost_cents


def test_a_mission_without_contributors_keeps_its_cost_as_before(bob):
    mission = draft(bob, **CHARTER)

    cost = mission.cost()

    assert cost.total_cents == CHARTER_COST_CENTS
    assert cost.engine != "contributors" and "contributors" not in cost.breakdown


pay_forms = st.one_of(
    st.builds(
        lambda cents, vat: {"pay_form": "invoice", "amount_cents": cents, "vat_rate_bp": vat},
        st.integers(1, 10_000_000),
        st.integers(0, 10_000),
    ),
    st.builds(
        lambda hours, rate: co_remunerated(hours, rate),
        st.integers(1, 2_000),
        st.integers(1, 100_000),
    ),
    st.builds(
        lambda cents: {"pay_form": "expenses", "amount_cents": cents}, st.integers(1, 10_000_000)
    ),
    st.just({"pay_form": "volunteer"}),
)


@settings(max_examples=60, deadline=None)
@given(
    own=pay_forms,
    others=st.lists(pay_forms, min_size=1, max_size=4),
    start=st.dates(datetime.date(2026, 1, 1), datetime.date(2030, 12, 31)),
    months=st.integers(1, 36),
)
def test_the_total_is_the_sum_and_the_cash_sums_to_it_to_the_cent(own, others, start, months):
    mission = Mission(start_on=start, duration_months=months, proposer_id=1, **own)
    shares = [MissionContributor(member_id=2 + index, **pay) for index, pay in enumerate(others)]
    mission.shares = lambda: shares

    cost = mission.cost()

    parts = cost.breakdown["contributors"]
    each = [mission.pay_cost(start, months)] + [share.pay_cost(start, months) for share in shares]
    assert [part["total_cents"] for part in parts] == [alone.total_cents for alone in each]
    assert cost.total_cents == sum(alone.total_cents for alone in each)
    for part, terms in zip(parts, [mission, *shares], strict=True):
        alone = payments_by_month(part["pay_form"], start, months, part["total_cents"], [])
        assert (
            sum(cents for _month, cents in alone)
            == part["total_cents"]
            == terms.pay_cost(start, months).total_cents
        )
    assert sum(row["cash_cents"] for row in cost.months) == cost.total_cents
    assert sum(row["employer_cost_cents"] for row in cost.months) == cost.total_cents
    paid = payments_by_month(own["pay_form"], start, months, cost.total_cents, cost.months)
    assert sum(cents for _month, cents in paid) == cost.total_cents


def test_adoption_commits_the_whole_and_stores_the_summed_timeline(alice, bob, gus):
    fund(10_000_000)
    mission = draft(bob, **invoice(60_000, duration_months=3))
    mission.add_contributor(bob, gus, **co_remunerated())
    mission.submit(bob)

    adopt(mission, alice)

    assert mission.status == "adopted"
    assert mission.committed_cents == 60_000 + 50_000
    assert funds.committed_cents(mission.ref) == 110_000
    stored = list(MissionCashMonth.objects.filter(mission=mission).values_list("cents", flat=True))
    assert stored == [20_000, 20_000, 20_000 + 50_000]


def test_two_contributors_each_within_the_reserve_but_not_together_are_refused(alice, bob, gus):
    fund(100_000)
    alone = draft(bob, **invoice(60_000))
    assert alone.reserve_now_and_after(alone.cost().total_cents)[1] >= 0
    mission = draft(bob, **invoice(60_000))
    mission.add_contributor(bob, gus, pay_form="invoice", amount_cents=60_000, vat_rate_bp=0)
    mission.submit(bob)

    with pytest.raises(ValidationError) as refused:
        adopt(mission, alice)

    assert refused.value.code == "reserve_insufficient"
    mission.refresh_from_db()
    assert mission.status == "submitted" and funds.committed_cents() == 0


def test_two_contributors_overdrawing_a_month_together_are_refused(alice, bob, gus):
    fund(100_000)
    reserve_without_cash(500_000)
    share = treasury_forecast().bank_cents * 6 // 10  # each alone fits in the bank
    next_month = add_months(timezone.localdate().replace(day=1), 1)
    mission = draft(bob, **invoice(share, start_on=next_month))
    mission.add_contributor(bob, gus, pay_form="expenses", amount_cents=share)
    mission.submit(bob)
    assert (
        treasury_forecast(
            adding=draft(bob, **invoice(share, start_on=next_month))
        ).lowest.balance_cents
        >= 0
    )

    with pytest.raises(ValidationError) as refused:
        adopt(mission, alice)

    assert refused.value.code == "forecast_overdrawn"
    mission.refresh_from_db()
    assert mission.status == "submitted" and funds.committed_cents() == 0


def test_the_consented_version_states_who_is_paid_what(alice, bob, gus):
    fund(10_000_000)
    mission = draft(bob, **invoice(60_000))
    mission.add_contributor(bob, gus, **co_remunerated())
    mission.submit(bob)

    adopt(mission, alice)

    version = mission.adopted_version
    assert version.full_cost_cents == mission.full_cost_cents == 110_000
    assert [part["member"] for part in version.cost_breakdown["contributors"]] == [
        bob.pk,
        gus.pk,
    ]
    assert version.cost_breakdown["contributors"][1]["pay_form"] == PayForm.CO_REMUNERATION
    text = version.decision_version.body
    assert f"associé·e n°{gus.number}, Co-rémunération après coup : 10 h prévues" in text
    assert f"(coût complet : {shown(50_000)})" in text and gus.last_name not in text
