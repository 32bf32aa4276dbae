"""A stored cost never changes behind anyone's back: it records the settings, the engine's
version and the legislation date it was computed with; a recompute shows old and new side
by side and changes nothing."""

from decimal import Decimal

from django.urls import reverse

from commun.budgets.models import BudgetSettings, Mission
from commun.lib import payroll
from commun.testing.api import bearer, call
from commun.testing.budgets import CHARTER, CHARTER_COST_CENTS, adopt, fund, shown, submitted


def test_the_stored_cost_records_what_it_was_computed_with(bob):
    fund(6_000_000)
    mission = submitted(bob, **CHARTER)

    breakdown = mission.cost_breakdown
    assert breakdown["engine_version"] == payroll.openfisca_version()
    assert breakdown["legislation_date"]
    assert breakdown["settings"] == {
        "headcount": 5,
        "accident_rate": None,
        "commune": "",
        "mutuelle_cents": 0,
        "prevoyance_rate": "0",
        "end_of_contract_rate": "0.1",
        "cadre": False,
        "paid_leave_taken": False,
        "end_of_contract_due": True,
    }


def test_new_settings_leave_a_stored_cost_alone_and_the_recompute_shows_both(
    people, alice, bob, member_api
):
    fund(6_000_000)
    mission = submitted(bob, **CHARTER)
    stored = dict(mission.cost_breakdown)
    BudgetSettings.get().update(alice.user, accident_rate_percent=Decimal("2.08"))

    mission.refresh_from_db()
    answer = call(member_api, "GET", f"/missions/{mission.pk}/recompute")
    page = people["member"].get(reverse("budgets:mission_recompute", args=[mission.pk]))

    assert mission.full_cost_cents == CHARTER_COST_CENTS and mission.cost_breakdown == stored
    assert answer.status_code == 200, answer.json()
    figures = answer.json()
    assert figures["stored_cents"] == CHARTER_COST_CENTS
    assert abs(figures["difference_cents"] - 25_313) <= 100  # 1.38 AT/MP points
    assert figures["current"]["settings"]["accident_rate"] == "0.0208"
    assert figures["stored"]["settings"]["accident_rate"] is None
    html = page.content.decode()
    assert shown(CHARTER_COST_CENTS) in html and shown(figures["current_cents"]) in html
    mission.refresh_from_db()
    assert mission.full_cost_cents == CHARTER_COST_CENTS  # the recompute saved nothing


def test_an_adopted_cost_is_not_recomputed(alice, bob):
    fund(6_000_000)
    mission = submitted(bob, **CHARTER)
    adopt(mission, alice)

    answer = call(bearer(alice.user), "GET", f"/missions/{mission.pk}/recompute")

    assert answer.status_code == 422
    assert Mission.objects.get().full_cost_cents == CHARTER_COST_CENTS
