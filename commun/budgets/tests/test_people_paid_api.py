"""The mission's API detail lists every person paid on it, the proposer first, with their
terms and their cost as the stored cost counts it (the contributors' list stays the shares
a draft's proposer manages)."""

import pytest

from commun.testing.api import call
from commun.testing.budgets import draft, invoice

pytestmark = pytest.mark.django_db

HOURS = {"pay_form": "co_remuneration", "estimated_hours": 10, "hourly_rate_cents": 5_000}


def test_every_person_paid_is_listed_with_terms_and_cost(member_api, bob, gus):
    mission = draft(bob, **invoice(100_000, 2_000))
    mission.add_contributor(bob, gus, **HOURS)

    drafted = call(member_api, "GET", f"/missions/{mission.pk}").json()["people_paid"]
    mission.submit(bob)
    submitted = call(member_api, "GET", f"/missions/{mission.pk}").json()["people_paid"]

    assert [(p["member_number"], p["is_proposer"], p["cost_cents"]) for p in drafted] == [
        (bob.number, True, None),
        (gus.number, False, None),
    ]
    assert [(p["member_number"], p["pay_form"], p["cost_cents"]) for p in submitted] == [
        (bob.number, "invoice", 120_000),
        (gus.number, "co_remuneration", 50_000),
    ]
    assert submitted[0]["amount_cents"] == 100_000 and submitted[0]["vat_rate_bp"] == 2_000
    assert submitted[1]["hourly_rate_cents"] == 5_000 and "10 h" in submitted[1]["pay_asked"]
    assert submitted[1]["name"] == gus.name_for(bob)
    mission.refresh_from_db()
    assert sum(p["cost_cents"] for p in submitted) == mission.full_cost_cents


def test_a_mission_paying_its_proposer_alone_lists_them_with_its_cost(member_api, bob):
    mission = draft(bob, **invoice(100_000))
    mission.submit(bob)

    (person,) = call(member_api, "GET", f"/missions/{mission.pk}").json()["people_paid"]

    assert (person["member_number"], person["is_proposer"]) == (bob.number, True)
    assert person["cost_cents"] == 100_000 and person["pay_form"] == "invoice"
