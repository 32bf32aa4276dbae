"""Every needs and missions endpoint × every role × the stages where it matters, by token.

The need and the mission are Bob's (the proposer). Gus is another member, Alice an
officer, Carol an applicant, Dan an account without membership. A refusal (401
authenticate, 404 not yours to read, 403 not yours to do, 422 not now) changes nothing.
"""

import pytest
from django.test import Client

from commun.budgets.estimates import open_ticket
from commun.budgets.models import MissionContributor
from commun.budgets.schemas import EstimateIn
from commun.testing.api import bearer, call, documented_endpoints
from commun.testing.budgets import CHARTER, invoice, mission_in, need_by, snapshot

ROLES = ["visitor", "applicant", "account", "other_member", "proposer", "officer"]
ALL = (200,) * 6
MEMBERS = (401, 403, 403, 200, 200, 200)
MEMBERS_CREATE = (401, 403, 403, 201, 201, 201)
PROPOSER = (401, 403, 403, 403, 200, 403)
PROPOSER_OR_OFFICER = (401, 403, 403, 403, 200, 200)
OFFICER_CREATES = (401, 403, 403, 403, 403, 201)
OFFICER = (401, 403, 403, 403, 403, 200)
DRAFT_READ = (404, 404, 404, 404, 200, 404)
DRAFT_PROPOSER = (401, 404, 404, 404, 200, 404)
NOBODY = (401, 403, 403, 403, 403, 403)

ESTIMATE = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in invoice(1000).items()}
PAYMENT = {
    "kind": "invoice",
    "date": "2026-02-02",
    "label": "Facture",
    "amount_cents": 1000,
    "idempotency_key": "m",
}
SHARE = {"pay_form": "expenses", "amount_cents": 1000}

# (method, path, body, {scenario: expected statuses of ROLES})
MATRIX = [
    ("GET", "/needs", None, {"none": ALL}),
    ("GET", "/needs/{need_id}", None, {"none": ALL}),
    (
        "POST",
        "/needs",
        {"title": "Un besoin", "description": "Pourquoi."},
        {"none": MEMBERS_CREATE},
    ),
    ("POST", "/needs/{need_id}/support", None, {"none": MEMBERS}),
    ("DELETE", "/needs/{need_id}/support", None, {"none": MEMBERS}),
    (
        "POST",
        "/needs/{need_id}/status",
        {"status": "dropped", "reason": "Non."},
        {"none": PROPOSER_OR_OFFICER},
    ),
    ("GET", "/budgets/payroll-settings", None, {"none": OFFICER}),
    (
        "GET",
        "/missions/{mission_id}/recompute",
        None,
        {
            "draft": (401, 404, 404, 404, 422, 404),
            "submitted": PROPOSER_OR_OFFICER,
            "adopted": (401, 403, 403, 403, 422, 422),
        },
    ),
    ("PATCH", "/budgets/payroll-settings", {"commune": "75101"}, {"none": OFFICER}),
    ("GET", "/missions", None, {"none": ALL, "draft": ALL}),
    (
        "GET",
        "/missions/{mission_id}",
        None,
        {"draft": DRAFT_READ, "submitted": ALL, "adopted": ALL},
    ),
    ("POST", "/missions", ESTIMATE | {"need_id": "{need_id}"}, {"none": MEMBERS_CREATE}),
    ("POST", "/missions/estimate", ESTIMATE, {"none": MEMBERS}),
    # The estimate a 202 pointed at: its asker's (Bob's) alone.
    ("GET", "/missions/estimates/{ticket}", None, {"none": (401, 403, 403, 404, 200, 404)}),
    (
        "PUT",
        "/missions/{mission_id}",
        ESTIMATE,
        {"draft": DRAFT_PROPOSER, "submitted": NOBODY, "adopted": NOBODY},
    ),
    # Only while its decision integrates objections (test_mission_versions.py amends).
    (
        "POST",
        "/missions/{mission_id}/versions",
        ESTIMATE,
        {
            "draft": (401, 404, 404, 404, 422, 404),
            "submitted": NOBODY,
            "adopted": (401, 403, 403, 403, 422, 403),
        },
    ),
    (
        "POST",
        "/missions/{mission_id}/submit",
        None,
        {"draft": DRAFT_PROPOSER, "submitted": (401, 403, 403, 403, 422, 403)},
    ),
    (
        "POST",
        "/missions/{mission_id}/withdraw",
        None,
        {"draft": DRAFT_PROPOSER, "submitted": PROPOSER, "adopted": (401, 403, 403, 403, 422, 403)},
    ),
    (
        "GET",
        "/missions/{mission_id}/contributors",
        None,
        {"draft": DRAFT_READ, "submitted": ALL},
    ),
    (
        "POST",
        "/missions/{mission_id}/contributors",
        SHARE | {"member_number": "{officer_number}"},
        {"draft": (401, 404, 404, 404, 201, 404), "submitted": NOBODY},
    ),
    (
        "PUT",
        "/missions/{mission_id}/contributors/{contributor_id}",
        SHARE,
        {"draft": DRAFT_PROPOSER, "submitted": NOBODY},
    ),
    (
        "DELETE",
        "/missions/{mission_id}/contributors/{contributor_id}",
        None,
        {"draft": (401, 404, 404, 404, 204, 404), "submitted": NOBODY},
    ),
    (
        "GET",
        "/missions/{mission_id}/payments",
        None,
        {"draft": DRAFT_READ, "submitted": ALL, "adopted": ALL},
    ),
    (
        "POST",
        "/missions/{mission_id}/payments",
        PAYMENT,
        {"adopted": OFFICER_CREATES, "submitted": (401, 403, 403, 403, 403, 422)},
    ),
    (
        "POST",
        "/missions/{mission_id}/payments/{payment_id}/cancel",
        {"reason": "Erreur."},
        {"adopted": OFFICER},
    ),
    (
        "POST",
        "/missions/{mission_id}/top-ups",
        {"amount_cents": 1000, "reason": "Plus."},
        {"adopted": (401, 403, 403, 403, 201, 201), "closing": (401, 403, 403, 403, 422, 422)},
    ),
    (
        "POST",
        "/missions/{mission_id}/review",
        {"report": "Livré."},
        {"adopted": PROPOSER_OR_OFFICER, "closing": (401, 403, 403, 403, 422, 422)},
    ),
]


@pytest.fixture
def callers(alice, bob, carol, dan, gus):
    return {
        "visitor": Client(),
        "applicant": bearer(carol.user),
        "account": bearer(dan),
        "other_member": bearer(gus.user),
        "proposer": bearer(bob.user),
        "officer": bearer(alice.user),
    }


CASES = [
    pytest.param(method, path, body, scenario, expected, id=f"{method} {path} [{scenario}]")
    for method, path, body, by_scenario in MATRIX
    for scenario, expected in by_scenario.items()
]


@pytest.mark.parametrize(("method", "path", "body", "scenario", "expected"), CASES)
def test_permission_matrix(callers, alice, bob, gus, method, path, body, scenario, expected):
    statuses = {}
    for role in ROLES:
        mission = None if scenario == "none" else mission_in(scenario, bob, alice)
        need = mission.need if mission else need_by(bob)
        payment = mission.payments.first() if mission else None
        share = (
            MissionContributor.objects.create(
                mission=mission, member=gus, pay_form="expenses", amount_cents=500
            )
            if "{contributor_id}" in path
            else None
        )
        ids = {
            "need_id": need.pk,
            "mission_id": mission.pk if mission else 0,
            "payment_id": payment.pk if payment else 0,
            "contributor_id": share.pk if share else 0,
            "officer_number": alice.number,
            "ticket": open_ticket(bob.user, EstimateIn(**ESTIMATE).dict()),
        }
        url = path.format(**ids)
        data = None
        if body is not None:
            data = {k: body_value(v, ids) for k, v in body.items()}
        before = snapshot()

        response = call(callers[role], method, url, data)

        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), role
            assert response.json()["detail"], role
            assert snapshot() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def body_value(value, ids: dict):
    """A body's "{name}" stands for that id of the case's own objects."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def test_every_budgets_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Besoins et missions")
    assert documented == {(method, path) for method, path, *_rest in MATRIX}


def test_the_charter_example_is_accepted_as_a_draft(callers, bob):
    need = need_by(bob)
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in CHARTER.items()}
    response = call(callers["proposer"], "POST", "/missions", body | {"need_id": need.pk})
    assert response.status_code == 201
    assert response.json()["monthly_amount_cents"] == 200_000
