"""The charter's example — a six-month CDD at 2,000 € net a month — costs the same on the
page, through the API and from the payroll module called directly: 24,403.44 €."""

import pytest
from django.urls import reverse

from commun.lib import payroll
from commun.testing.api import bearer, call
from commun.testing.budgets import (
    CHARTER,
    CHARTER_COST_CENTS,
    CHARTER_FORM,
    as_json,
    fund,
    need_by,
    shown,
)


@pytest.fixture(scope="module")
def direct():
    return payroll.salaried_cost(
        contract="cdd", monthly_net_cents=200_000, months=6, start=CHARTER["start_on"]
    )


def test_the_direct_computation_is_the_charter_figure(direct):
    assert direct.engine == payroll.OPENFISCA
    assert direct.employer_cost_cents == CHARTER_COST_CENTS


def test_the_api_estimate_equals_the_payroll_month_by_month(bob, direct):
    fund(6_000_000)
    values = as_json(CHARTER)

    answer = call(bearer(bob.user), "POST", "/missions/estimate", values)

    assert answer.status_code == 200, answer.json()
    estimate = answer.json()
    assert estimate["full_cost_cents"] == CHARTER_COST_CENTS
    assert estimate["engine"] == "openfisca-france" and "OpenFisca" in estimate["engine_label"]
    assert estimate["breakdown"] == direct.as_dict()
    assert estimate["breakdown"]["total"]["end_of_contract_cents"] > 0
    assert estimate["breakdown"]["total"]["paid_leave_cents"] > 0
    assert estimate["available_after_cents"] == 6_000_000 - CHARTER_COST_CENTS


def test_the_web_estimate_shows_the_same_months_and_total(people, bob, direct):
    need = need_by(bob)
    form = CHARTER_FORM | {"estimate": "1"}

    response = people["member"].post(reverse("budgets:mission_new", args=[need.pk]), form)

    assert response.status_code == 200
    cost = response.context["cost"]
    assert cost.total_cents == CHARTER_COST_CENTS
    assert cost.breakdown == direct.as_dict()
    page = response.content.decode()
    assert shown(CHARTER_COST_CENTS) in page and "24\u00a0403,44\u00a0€" in page
    for month in direct.months:
        assert shown(month.employer_cost_cents) in page
        assert shown(month.end_of_contract_cents) in page
    assert "estimation" in page and "OpenFisca-France" in page

    # The htmx partial answers the same figures.
    partial = people["member"].post(
        reverse("budgets:estimate", args=[need.pk]), form, headers={"HX-Request": "true"}
    )
    assert partial.context["cost"].total_cents == CHARTER_COST_CENTS
    assert "<html" not in partial.content.decode()


def test_a_submitted_charter_mission_stores_its_cost(bob, alice):
    from commun.testing.budgets import submitted

    fund(6_000_000)
    mission = submitted(bob, **CHARTER)
    assert mission.full_cost_cents == CHARTER_COST_CENTS
    assert mission.cost_engine == "openfisca-france"
    assert len(mission.cost_breakdown["months"]) == 6
