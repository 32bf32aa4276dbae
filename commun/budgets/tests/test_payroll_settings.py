"""The employer's payroll settings: officers set them on the budget settings' page and
through the API; a bad figure is refused on its field and nothing is written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commun.budgets.models import BudgetSettings
from commun.testing.api import bearer, call
from commun.testing.budgets import CHARTER, CHARTER_COST_CENTS, draft, errors_by_field

FORM = {
    "deciders": "members",
    "min_deliberation_days": "7",
    "deadline_days": "14",
    "country": "FR",
    "net_ratio": "0.78",
    "employer_ratio": "1.42",
    "headcount": "5",
    "accident_rate_percent": "",
    "commune": "",
    "mutuelle": "0",
    "prevoyance_rate_percent": "0",
    "end_of_contract_rate_percent": "10",
}


def stored() -> dict:
    return BudgetSettings.objects.filter(pk=BudgetSettings.get().pk).values().get()


def test_an_officer_sets_the_accident_rate_and_the_cost_follows(people, alice, bob):
    response = people["officer"].post(
        reverse("budgets:settings"), FORM | {"accident_rate_percent": "2.08"}
    )

    assert response.status_code == 302
    assert BudgetSettings.get().accident_rate_percent == Decimal("2.08")
    cost = draft(bob, **CHARTER).cost()
    # 1.38 points of AT/MP on the 18,342.75 € paid: about 253 € more (docs/payroll.md).
    assert abs(cost.total_cents - CHARTER_COST_CENTS - 25_313) <= 100
    assert cost.breakdown["settings"]["accident_rate"] == "0.0208"


def test_an_accident_rate_of_150_percent_is_refused_on_its_field(people, alice):
    before = stored()

    response = people["officer"].post(
        reverse("budgets:settings"), FORM | {"accident_rate_percent": "150"}
    )

    assert response.status_code == 422
    assert "AT/MP" in str(response.context["form"].errors["accident_rate_percent"])
    assert stored() == before


def test_an_unknown_commune_is_refused_in_english_too(people, alice, english):
    before = stored()

    response = people["officer"].post(
        reverse("budgets:settings"),
        FORM | {"commune": "99999"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert "No commune has this INSEE code" in str(response.context["form"].errors["commune"])
    assert "Aucune commune" not in response.content.decode()
    assert stored() == before


def test_the_api_sets_and_refuses_the_same(alice, bob):
    officer = bearer(alice.user)
    before = stored()

    refused = call(officer, "PATCH", "/budgets/payroll-settings", {"accident_rate_percent": 150})
    unknown = call(officer, "PATCH", "/budgets/payroll-settings", {"commune": "99999"})
    by_member = call(bearer(bob.user), "PATCH", "/budgets/payroll-settings", {"commune": "75101"})

    assert refused.status_code == 422 and "accident_rate_percent" in errors_by_field(refused)
    assert unknown.status_code == 422 and "commune" in errors_by_field(unknown)
    assert by_member.status_code == 403
    assert stored() == before

    accepted = call(
        officer,
        "PATCH",
        "/budgets/payroll-settings",
        {"commune": "75101", "headcount": 11, "end_of_contract_rate_percent": 6},
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["mobility_rate_percent"] == 2.95
    assert BudgetSettings.get().end_of_contract_rate_percent == Decimal(6)


def test_the_mutuelle_is_typed_in_euros_and_kept_in_cents(people, alice):
    page = people["officer"].get(reverse("budgets:settings")).content.decode()
    assert 'name="mutuelle"' in page and "mutuelle_cents" not in page

    response = people["officer"].post(reverse("budgets:settings"), FORM | {"mutuelle": "50,25"})

    assert response.status_code == 302
    assert BudgetSettings.get().mutuelle_cents == 5_025
    shown = people["officer"].get(reverse("budgets:settings")).content.decode()
    assert 'value="50,25"' in shown


def test_an_empty_mutuelle_is_none(people, alice):
    people["officer"].post(reverse("budgets:settings"), FORM | {"mutuelle": "50"})

    response = people["officer"].post(reverse("budgets:settings"), FORM | {"mutuelle": ""})

    assert response.status_code == 302
    assert BudgetSettings.get().mutuelle_cents == 0


@pytest.mark.parametrize("typed", ["12,345", "1000,01", "-5", "cinquante", "1e3"])
def test_a_mutuelle_no_one_could_mean_is_refused_on_its_field(people, alice, typed):
    before = stored()

    response = people["officer"].post(reverse("budgets:settings"), FORM | {"mutuelle": typed})

    assert response.status_code == 422
    assert response.context["form"].errors["mutuelle"]
    assert stored() == before
