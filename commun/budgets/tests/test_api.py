"""API v1, needs and missions: whole flows through personal tokens, and bad input."""

import pytest
from django.test import Client

from commun.budgets.models import ALL_PAY_FIELDS, Mission
from commun.testing.api import bearer, call
from commun.testing.budgets import CHARTER, adopt, draft, fund, invoice, need_by

PAY_TERMS = {
    "pay_form",
    "pay_asked",
    *ALL_PAY_FIELDS,
    "cadre",
    "paid_leave_taken",
    "end_of_contract_due",
}
MISSION_DETAIL_KEYS = PAY_TERMS | {
    "id",
    "ref",
    "title",
    "need",
    "proposer",
    "status",
    "status_reason",
    "full_cost_cents",
    "committed_cents",
    "url",
    "scope",
    "deliverables",
    "start_on",
    "duration_months",
    "cost_engine",
    "cost_breakdown",
    "cash_months",
    "decision",
    "review_decision",
    "review_report",
    "spent_cents",
    "remaining_cents",
    "released_cents",
    "people_paid",
    "paid_by_contributor",
    "payments",
    "top_ups",
    "version",
    "adopted_version",
    "versions",
}


@pytest.fixture
def api(alice, bob, dan):
    return {
        "visitor": Client(),
        "account": bearer(dan),
        "member": bearer(bob.user),
        "officer": bearer(alice.user),
    }


def body(values: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def test_a_need_is_raised_supported_and_listed(api, bob):
    created = call(api["member"], "POST", "/needs", {"title": "Un serveur", "description": "Vite."})
    assert created.status_code == 201, created.json()
    need_id = created.json()["id"]
    assert call(api["officer"], "POST", f"/needs/{need_id}/support").json()["support_count"] == 1
    listed = call(api["visitor"], "GET", "/needs").json()
    assert listed["count"] == 1 and listed["items"][0]["support_count"] == 1
    mine = call(api["officer"], "GET", "/needs").json()
    assert mine["items"][0]["supported"] is True
    assert call(api["officer"], "DELETE", f"/needs/{need_id}/support").json()["support_count"] == 0


def test_a_mission_goes_from_draft_to_payment_through_the_api(api, alice, bob):
    fund(1_000_000)
    need = need_by(bob)
    created = call(
        api["member"], "POST", "/missions", body(invoice(100_000, 2000) | {"need_id": need.pk})
    )
    assert created.status_code == 201, created.json()
    mission_id = created.json()["id"]
    submitted_ = call(api["member"], "POST", f"/missions/{mission_id}/submit")
    assert submitted_.status_code == 200, submitted_.json()
    assert submitted_.json()["full_cost_cents"] == 120_000 and submitted_.json()["decision"]
    mission = Mission.objects.get()
    adopt(mission, bob)

    payment = {
        "kind": "invoice",
        "date": "2026-02-01",
        "label": "Facture",
        "amount_cents": 50_000,
        "idempotency_key": "abc",
    }
    paid = call(api["officer"], "POST", f"/missions/{mission_id}/payments", payment)
    assert paid.status_code == 201, paid.json()
    again = call(api["officer"], "POST", f"/missions/{mission_id}/payments", payment)
    assert again.json()["id"] == paid.json()["id"]
    detail = call(api["visitor"], "GET", f"/missions/{mission_id}").json()
    assert (detail["committed_cents"], detail["spent_cents"], detail["remaining_cents"]) == (
        120_000,
        50_000,
        70_000,
    )
    assert detail["payments"][0]["transaction"] == paid.json()["transaction"]
    listed = call(api["visitor"], "GET", "/missions?pay_form=invoice").json()
    assert listed["count"] == 1


def test_estimate_saves_nothing(api, bob):
    fund(1_000_000)
    answer = call(api["member"], "POST", "/missions/estimate", body(invoice(100_000, 550)))
    assert answer.status_code == 200, answer.json()
    assert answer.json()["full_cost_cents"] == 105_500
    assert answer.json()["available_after_cents"] == 1_000_000 - 105_500
    assert Mission.objects.count() == 0


def test_a_mission_s_detail_carries_its_pay_terms(api, bob):
    """The proposer's pay terms sit on the mission itself, with the same names as each
    other person paid (`people_paid`), and `pay_form` among the known forms."""
    mission = draft(bob, **CHARTER | {"cadre": True, "end_of_contract_due": False})
    detail = call(api["member"], "GET", f"/missions/{mission.pk}").json()
    proposer = detail["people_paid"][0]
    terms = {key: value for key, value in proposer.items() if key in PAY_TERMS}
    assert set(terms) == PAY_TERMS
    assert {key: detail[key] for key in PAY_TERMS} == terms
    assert (detail["pay_form"], detail["contract"], detail["monthly_amount_cents"]) == (
        "salaried",
        "cdd",
        200_000,
    )
    assert (detail["cadre"], detail["end_of_contract_due"]) == (True, False)
    assert set(detail) == MISSION_DETAIL_KEYS
    document = call(api["visitor"], "GET", "/openapi.json").json()
    pay_form = document["components"]["schemas"]["MissionDetail"]["properties"]["pay_form"]
    assert "$ref" in pay_form or "enum" in pay_form  # the known forms, not any text
