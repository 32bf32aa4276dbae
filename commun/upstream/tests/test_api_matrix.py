"""Every upstream endpoint × every role, through tokens: reading is public, writing is the
officers'. A refusal (401 authenticate, 403 not yours to do) changes nothing."""

import itertools

import pytest
from django.test import Client

from commun.ledger.models import Transaction
from commun.testing.api import bearer, call, documented_endpoints
from commun.testing.upstream import fill_fund, projects
from commun.upstream.models import CommonsSplit, Gift, SplitCandidate, UpstreamProject

ROLES = ["visitor", "account", "member", "officer"]
ANYONE = (200, 200, 200, 200)
OFFICER_CREATES = (401, 403, 403, 201)
OFFICER = (401, 403, 403, 200)
_names = itertools.count(1)

MATRIX = [
    ("GET", "/upstream/projects", None, ANYONE),
    (
        "POST",
        "/upstream/projects",
        {"name": "{unique}", "url": "https://example.org/", "used_for": "Tout."},
        OFFICER_CREATES,
    ),
    ("PATCH", "/upstream/projects/{project_id}", {"is_active": False}, OFFICER),
    ("GET", "/upstream/fund", None, ANYONE),
    ("GET", "/upstream/splits", None, ANYONE),
    ("GET", "/upstream/splits/{split_id}", None, ANYONE),
    ("POST", "/upstream/splits", {"amount_cents": 1_000, "days": 7}, OFFICER_CREATES),
    ("GET", "/upstream/gifts", None, ANYONE),
    (
        "POST",
        "/upstream/gifts",
        {"project": "{project_id}", "amount_cents": 500, "reference": "AG"},
        OFFICER_CREATES,
    ),
    (
        "POST",
        "/upstream/gifts/{gift_id}/pay",
        {"date": "2026-03-02", "idempotency_key": "{unique}"},
        OFFICER,
    ),
    ("POST", "/upstream/gifts/{gift_id}/cancel", None, OFFICER),
]


@pytest.fixture
def callers(alice, bob, dan) -> dict[str, Client]:
    return {
        "visitor": Client(),
        "account": bearer(dan),
        "member": bearer(bob.user),
        "officer": bearer(alice.user),
    }


def fresh(officer) -> dict:
    """A project, a planned gift to it and an open split, all new."""
    n = next(_names)
    project = UpstreamProject.objects.create(
        name=f"Projet {n}", url="https://example.org/", used_for="Tout."
    )
    gift = Gift.objects.plan(officer, project=project, amount_cents=1_000, reference="AG")
    split = CommonsSplit.objects.open(officer, amount_cents=1_000)
    return {"project_id": project.pk, "gift_id": gift.pk, "split_id": split.pk, "unique": f"u{n}"}


def snapshot():
    return (
        sorted(UpstreamProject.objects.values_list("pk", "name", "url", "used_for", "is_active")),
        sorted(Gift.objects.values_list("pk", "status", "transaction", "cancellation")),
        sorted(CommonsSplit.objects.values_list("pk", "status", "amount_cents")),
        SplitCandidate.objects.count(),
        Transaction.objects.count(),
    )


def filled(body, ids):
    if body is None:
        return None
    return {
        key: (
            (int(value.format(**ids)) if key == "project" else value.format(**ids))
            if isinstance(value, str) and "{" in value
            else value
        )
        for key, value in body.items()
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX],
)
def test_permission_matrix(callers, alice, method, path, body, expected):
    projects(2)
    fill_fund(1_000_000)
    statuses = {}
    for role in ROLES:
        ids = fresh(alice)
        before = snapshot()

        response = call(callers[role], method, path.format(**ids), filled(body, ids))

        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), role
            assert response.json()["detail"], role
            assert snapshot() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_every_upstream_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Communs amont")
    assert documented == {(method, path) for method, path, *_rest in MATRIX}


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("POST", "/upstream/gifts", {"project": 999_999, "amount_cents": 500, "reference": "AG"}),
        ("POST", "/upstream/gifts/999999/pay", {"date": "2026-03-02", "idempotency_key": "k"}),
        ("POST", "/upstream/gifts/999999/cancel", None),
    ],
)
def test_a_member_is_refused_before_what_they_name_is_looked_up(callers, method, path, body):
    assert call(callers["member"], method, path, body).status_code == 403
