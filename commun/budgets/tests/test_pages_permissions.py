"""Who may do what on the needs and missions pages: a person × stage × action matrix.

The need and the mission are Bob's. Gus is another member, Alice an officer, Carol an
applicant, Dan an account without membership. A refusal (a visitor sent to log in, 403,
404 for someone else's draft) changes nothing; the right person is never refused.
"""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from commun.budgets.models import (
    BudgetSettings,
    MissionPayment,
)
from commun.conftest import client_for
from commun.testing.budgets import mission_in, need_by, snapshot

ROLES = ["visitor", "applicant", "account", "other_member", "proposer", "officer"]
LOGIN = "login"
OK, DONE = 200, 302
EVERYONE = (OK,) * 6
MEMBERS_PAGE = (LOGIN, 403, 403, OK, OK, OK)
MEMBERS_ACT = (LOGIN, 403, 403, DONE, DONE, DONE)
PROPOSER_ACT = (LOGIN, 403, 403, 403, DONE, 403)
PROPOSER_OR_OFFICER = (LOGIN, 403, 403, 403, DONE, DONE)
OFFICER_ACT = (LOGIN, 403, 403, 403, 403, DONE)
DRAFT_ONLY_PROPOSER = (LOGIN, 404, 404, 404, OK, 404)
DRAFT_ACT = (LOGIN, 404, 404, 404, DONE, 404)
NOBODY = (LOGIN, 403, 403, 403, 403, 403)

PAYMENT = {
    "payment-kind": "invoice",
    "payment-date": "2026-02-02",
    "payment-label": "Facture",
    "payment-amount": "10",
    "payment-idempotency_key": "matrix",
}
NEED = {"title": "Un besoin", "description": "Pourquoi."}
ESTIMATE = {
    "title": "T",
    "scope": "S",
    "deliverables": "D",
    "start_on": "2026-01-01",
    "duration_months": "1",
    "pay_form": "expenses",
    "amount": "10",
}
SETTINGS = {
    "deciders": "members",
    "min_deliberation_days": "7",
    "deadline_days": "14",
    "country": "FR",
    "net_ratio": "0.78",
    "employer_ratio": "1.42",
    "headcount": "5",
}

# (name, method, url kind, data, {scenario: expected statuses of ROLES})
MATRIX = [
    ("budgets:needs", "get", None, None, {"none": EVERYONE}),
    ("budgets:need", "get", "need", None, {"none": EVERYONE}),
    ("budgets:need_new", "get", None, None, {"none": MEMBERS_PAGE}),
    ("budgets:need_new", "post", None, NEED, {"none": MEMBERS_ACT}),
    ("budgets:need_support", "post", "need", {"action": "support"}, {"none": MEMBERS_ACT}),
    (
        "budgets:need_status",
        "post",
        "need",
        {"status": "met", "reason": "Fait."},
        {"none": PROPOSER_OR_OFFICER},
    ),
    ("budgets:mission_new", "get", "need", None, {"none": MEMBERS_PAGE}),
    ("budgets:mission_new", "post", "need", ESTIMATE, {"none": MEMBERS_ACT}),
    ("budgets:estimate", "post", "need", ESTIMATE, {"none": MEMBERS_PAGE}),
    ("budgets:missions", "get", None, None, {"none": EVERYONE, "draft": EVERYONE}),
    (
        "budgets:mission",
        "get",
        "mission",
        None,
        {"draft": DRAFT_ONLY_PROPOSER, "submitted": EVERYONE, "adopted": EVERYONE},
    ),
    (
        "budgets:mission_edit",
        "get",
        "mission",
        None,
        {"draft": DRAFT_ONLY_PROPOSER, "submitted": NOBODY, "adopted": NOBODY},
    ),
    (
        "budgets:mission_edit",
        "post",
        "mission",
        ESTIMATE,
        {"draft": DRAFT_ACT, "submitted": NOBODY},
    ),
    # Only while its decision integrates objections (test_mission_versions.py amends).
    (
        "budgets:mission_amend",
        "get",
        "mission",
        None,
        {"draft": (LOGIN, 404, 404, 404, 403, 404), "submitted": NOBODY, "adopted": NOBODY},
    ),
    (
        "budgets:mission_amend",
        "post",
        "mission",
        ESTIMATE,
        {"submitted": NOBODY},
    ),
    (
        "budgets:mission_submit",
        "post",
        "mission",
        None,
        {"draft": DRAFT_ACT, "submitted": (LOGIN, 403, 403, 403, 422, 403)},
    ),
    (
        "budgets:mission_withdraw",
        "post",
        "mission",
        {},
        {"draft": DRAFT_ACT, "submitted": PROPOSER_ACT},
    ),
    (
        "budgets:mission_review",
        "post",
        "mission",
        {"review-report": "Livré."},
        {"adopted": PROPOSER_OR_OFFICER, "submitted": (LOGIN, 403, 403, 403, 422, 422)},
    ),
    (
        "budgets:mission_top_up",
        "post",
        "mission",
        {"top_up-amount": "10", "top_up-reason": "Plus."},
        {"adopted": PROPOSER_OR_OFFICER},
    ),
    (
        "budgets:payment_new",
        "post",
        "mission",
        PAYMENT,
        {"adopted": OFFICER_ACT, "submitted": (LOGIN, 403, 403, 403, 403, 422)},
    ),
    (
        "budgets:payment_cancel",
        "post",
        "payment",
        {"cancel-reason": "Erreur."},
        {"adopted": OFFICER_ACT},
    ),
    ("budgets:settings", "get", None, None, {"none": (LOGIN, 403, 403, 403, 403, OK)}),
    ("budgets:settings", "post", None, SETTINGS, {"none": OFFICER_ACT}),
]


@pytest.fixture
def clients(people, gus):
    return people | {"other_member": client_for(gus.user), "proposer": people["member"]}


def status_of(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(
        resolve_url(settings.LOGIN_URL)
    ):
        return LOGIN
    return response.status_code


CASES = [
    pytest.param(name, method, kind, data, scenario, expected, id=f"{method} {name} [{scenario}]")
    for name, method, kind, data, by_scenario in MATRIX
    for scenario, expected in by_scenario.items()
]


@pytest.mark.parametrize(("name", "method", "kind", "data", "scenario", "expected"), CASES)
def test_permission_matrix(clients, alice, bob, name, method, kind, data, scenario, expected):
    BudgetSettings.get()
    statuses = {}
    for role in ROLES:
        mission = None if scenario == "none" else mission_in(scenario, bob, alice)
        need = mission.need if mission else need_by(bob)
        args = {
            None: [],
            "need": [need.pk],
            "mission": [mission.pk] if mission else [],
            "payment": [
                MissionPayment.objects.filter(mission=mission).values_list("pk", flat=True).first()
            ]
            if mission
            else [],
        }[kind]
        before = snapshot()
        client: Client = clients[role]
        response = getattr(client, method)(reverse(name, args=args), data or {})
        statuses[role] = status_of(response)
        if statuses[role] in (LOGIN, 403, 404, 422):
            assert snapshot() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))
