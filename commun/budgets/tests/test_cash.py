"""A mission's cash timeline: what leaves the bank each month, beside the even accrual the
books use; the treasury reads it through `commun.budgets.cash.cash_months`."""

import datetime

from django.urls import reverse

from commun.budgets.cash import cash_months, payments_by_month
from commun.budgets.models import Mission, PayForm
from commun.testing.api import call
from commun.testing.budgets import (
    CHARTER,
    CHARTER_COST_CENTS,
    CHARTER_FORM,
    fund,
    invoice,
    need_by,
    shown,
    submitted,
)


def test_the_charters_cash_pays_the_indemnities_in_the_last_month(bob):
    fund(6_000_000)
    mission = submitted(bob, **CHARTER)

    months = cash_months(mission)

    assert [month for month, _cents in months] == [
        datetime.date(2026, number, 1) for number in range(1, 7)
    ]
    assert sum(cents for _month, cents in months) == mission.full_cost_cents == CHARTER_COST_CENTS
    payslips = [cents for _month, cents in months]
    assert len(set(payslips[:5])) == 1 and payslips[5] > 2.5 * payslips[0]


def test_the_page_and_the_api_show_both_timelines(people, bob, member_api):
    fund(6_000_000)
    mission = submitted(bob, **CHARTER)
    cash = cash_months(mission)

    page = people["member"].get(reverse("budgets:mission", args=[mission.pk])).content.decode()
    answer = call(member_api, "GET", f"/missions/{mission.pk}").json()

    assert "Décaissé ce mois" in page
    assert shown(cash[-1][1]) in page and shown(cash[0][1]) in page
    assert shown(mission.cost_breakdown["months"][0]["employer_cost_cents"]) in page
    assert answer["cash_months"] == [
        {"month": month.isoformat(), "cents": cents} for month, cents in cash
    ]


def test_an_estimate_stored_before_the_cash_timeline_is_paid_as_its_accrual(bob):
    fund(6_000_000)
    mission = submitted(bob, **CHARTER)
    breakdown = mission.cost_breakdown
    for row in breakdown["months"]:
        del row["cash_cents"]
    Mission.objects.filter(pk=mission.pk).update(cost_breakdown=breakdown)
    mission.refresh_from_db()

    assert [cents for _month, cents in cash_months(mission)] == [
        row["employer_cost_cents"] for row in breakdown["months"]
    ]


def test_an_invoice_is_paid_month_by_month(bob):
    fund(6_000_000)
    mission = submitted(bob, **invoice(120_000, 2000, duration_months=3))

    assert cash_months(mission) == [
        (datetime.date(2026, 1, 1), 48_000),
        (datetime.date(2026, 2, 1), 48_000),
        (datetime.date(2026, 3, 1), 48_000),
    ]


def test_a_co_remuneration_is_paid_in_its_last_month():
    start = datetime.date(2026, 1, 1)

    assert payments_by_month(PayForm.CO_REMUNERATION, start, 3, 90_000, []) == [
        (datetime.date(2026, 3, 1), 90_000)
    ]


def test_a_cdd_that_goes_on_as_a_cdi_owes_no_indemnity_and_says_so(people, bob, member_api):
    fund(6_000_000)
    waived = CHARTER | {"end_of_contract_due": False, "paid_leave_taken": True, "cadre": True}
    mission = submitted(bob, **waived)

    page = people["member"].get(reverse("budgets:mission", args=[mission.pk])).content.decode()
    answer = call(member_api, "GET", f"/missions/{mission.pk}").json()

    totals = mission.cost_breakdown["total"]
    assert totals["end_of_contract_cents"] == totals["paid_leave_cents"] == 0
    assert mission.cost_breakdown["settings"]["cadre"] is True
    assert "sans indemnité de fin de contrat" in page and "congés pris pendant" in page
    assert (answer["cadre"], answer["end_of_contract_due"]) == (True, False)


def test_the_proposal_form_takes_the_contract_options(people, bob):
    need = need_by(bob)
    form = CHARTER_FORM | {"end_of_contract_waived": "on"}

    people["member"].post(reverse("budgets:mission_new", args=[need.pk]), form)

    mission = Mission.objects.get()
    assert mission.end_of_contract_due is False and mission.cadre is False
