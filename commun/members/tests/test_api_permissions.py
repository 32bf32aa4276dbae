"""Who may call what: every endpoint and method × visitor, applicant, account, member, officer.

401 says "authenticate", 403 "not for you", 404 hides someone else's object; 409 on
POST /applications means the caller got through to the rule (already a member, or pending).
"""

import pytest
from django.test import Client

from commun.accounts.models import ApiToken
from commun.conftest import category, make_member
from commun.testing.api import call
from commun.testing.members import application_body, structure_body

ROLES = ["visitor", "applicant", "account", "member", "officer"]


def _application_for(role, people):
    if role == "visitor":
        return application_body()
    return application_body(email=None, password=None)


def _subscription_for_bob(role, people):
    return {"kind": "subscription", "member": people["bob"].number, "quantity": 1}


def _mandatory_categories_stay_filled(people):
    make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    # Another officer, so the officer's own resignation leaves the cooperative one.
    make_member("fred@example.org", "Fred", "Roux", category("Contrib"), officer=True)


def _bob_has_a_second_token(people):
    token, _secret = ApiToken.issue(people["bob"].user, "Autre")
    return {"token_id": token.pk}


# (method, path, body, expected status for visitor/applicant/account/member/officer, setup)
MATRIX = [
    ("GET", "/cooperative", None, (200, 200, 200, 200, 200)),
    ("PATCH", "/cooperative", {"name": "Autre nom"}, (401, 403, 403, 403, 200)),
    ("GET", "/categories", None, (200, 200, 200, 200, 200)),
    ("GET", "/colleges", None, (200, 200, 200, 200, 200)),
    ("GET", "/structure", None, (200, 200, 200, 200, 200)),
    ("PUT", "/structure", "current structure", (401, 403, 403, 403, 200)),
    ("POST", "/applications", _application_for, (201, 409, 201, 409, 409)),
    ("GET", "/applications", None, (401, 200, 200, 200, 200)),
    ("GET", "/applications/{application_id}", None, (401, 200, 404, 404, 200)),
    ("POST", "/applications/{application_id}/admit", None, (401, 403, 403, 403, 200)),
    ("POST", "/applications/{application_id}/refuse", {"reason": "Non"}, (401, 403, 403, 403, 200)),
    ("GET", "/members", None, (401, 403, 403, 200, 200)),
    ("GET", "/members/{number}", None, (401, 403, 403, 200, 200)),
    ("GET", "/members/me", None, (401, 404, 404, 200, 200)),
    ("PATCH", "/members/me", {"bio": "Bonjour"}, (401, 404, 404, 200, 200)),
    (
        "POST",
        "/members/me/resign",
        None,
        (401, 404, 404, 201, 201),
        _mandatory_categories_stay_filled,
    ),
    ("GET", "/register", None, (401, 403, 403, 200, 200)),
    ("GET", "/register/{number}", None, (401, 403, 403, 200, 200)),
    (
        "POST",
        "/register",
        _subscription_for_bob,
        (401, 403, 403, 403, 201),
    ),
    ("PUT", "/register/{number}", {"quantity": 9}, (405, 405, 405, 405, 405)),
    ("PATCH", "/register/{number}", {"quantity": 9}, (405, 405, 405, 405, 405)),
    ("DELETE", "/register/{number}", None, (405, 405, 405, 405, 405)),
    ("PUT", "/register", {"quantity": 9}, (405, 405, 405, 405, 405)),
    ("PATCH", "/register", {"quantity": 9}, (405, 405, 405, 405, 405)),
    ("DELETE", "/register", None, (405, 405, 405, 405, 405)),
    ("GET", "/tokens", None, (401, 200, 200, 200, 200)),
    ("POST", "/tokens", {"name": "Script"}, (401, 201, 201, 201, 201)),
    ("DELETE", "/tokens/{token_id}", None, (401, 404, 404, 204, 404), _bob_has_a_second_token),
    ("GET", "/openapi.json", None, (200, 200, 200, 200, 200)),
]


@pytest.mark.parametrize(
    "method, path, body, expected, setup",
    [
        pytest.param(method, path, body, statuses, rest[0] if rest else None, id=f"{method} {path}")
        for method, path, body, statuses, *rest in MATRIX
    ],
)
def test_permission_matrix(alice, bob, carol, dan, callers, method, path, body, expected, setup):
    """Each role in turn, visitor first: only the later roles' calls change anything."""
    people = {"alice": alice, "bob": bob, "carol": carol, "dan": dan}
    number = 1 if path.startswith("/register") else bob.number
    values = {"application_id": carol.pk, "number": number}
    if setup:
        values.update(setup(people) or {})
    statuses = []
    for role in ROLES:
        payload = body
        if body == "current structure":
            payload = structure_body(Client())
        elif callable(body):
            payload = body(role, people)
        response = call(callers[role], method, path.format(**values), payload)
        statuses.append(response.status_code)
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), role
            assert response.json()["detail"], role

    assert tuple(statuses) == expected


OTHER_APPS_TAGS = {
    "Délibération",
    "Décisions",
    "Besoins et missions",
    "Trésorerie prévue",
    "Trésorerie",
    "Exports",
    "Communs amont",
    "Données personnelles",
    "Webhooks",
    "Tableau des tâches",
    "Flux et calendriers",
    "Assemblées générales",
}


def test_every_endpoint_is_in_the_matrix(db):
    """A new endpoint must take its place in the matrix above."""
    document = Client().get("/api/v1/openapi.json").json()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        # Other apps' endpoints have their own matrix, in their app's tests.
        if not OTHER_APPS_TAGS & set(operation.get("tags", []))
    }
    assert documented <= {(method, path) for method, path, *_rest in MATRIX}


def test_someone_elses_application_is_hidden(callers, bob):
    """Bob's own admitted application is his to read; Carol's is not."""
    application = bob.application

    assert call(callers["member"], "GET", f"/applications/{application.pk}").status_code == 200
    assert call(callers["applicant"], "GET", f"/applications/{application.pk}").status_code == 404
    assert call(callers["account"], "GET", f"/applications/{application.pk}").status_code == 404
