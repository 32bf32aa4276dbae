"""Every webhook endpoint × visitor, applicant, account, member, officer: the officers' only.

A visitor reads 401, anyone else but an officer 403, and nothing they send changes anything.
"""

import pytest
from django.test import Client

from commun.hooks.models import Delivery, Endpoint, emit
from commun.testing.api import bearer, call, documented_endpoints

ROLES = ["visitor", "applicant", "account", "member", "officer"]


def officers(status: int) -> tuple:
    return (401, 403, 403, 403, status)


W = "/webhooks/{webhook_id}"
MATRIX = [
    ("GET", "/webhooks/events", None, officers(200)),
    ("GET", "/webhooks", None, officers(200)),
    (
        "POST",
        "/webhooks",
        {"url": "http://127.0.0.1:9/new", "events": ["task.created"]},
        officers(201),
    ),
    ("GET", W, None, officers(200)),
    ("PATCH", W, {"is_active": False}, officers(200)),
    ("DELETE", W, None, officers(204)),
    ("POST", W + "/secret", None, officers(200)),
    ("GET", W + "/deliveries", None, officers(200)),
    ("POST", W + "/deliveries/{delivery_id}/replay", None, officers(202)),
]


@pytest.fixture
def callers(alice, bob, carol, dan) -> dict[str, Client]:
    return {
        "visitor": Client(),
        "applicant": bearer(carol.user),
        "account": bearer(dan),
        "member": bearer(bob.user),
        "officer": bearer(alice.user),
    }


def snapshot():
    return (
        sorted(Endpoint.objects.values_list("pk", "url", "events", "is_active")),
        sorted(e.secret for e in Endpoint.objects.all()),
        Delivery.objects.count(),
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX],
)
def test_permission_matrix(
    callers, endpoint_for, method, path, body, expected, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for("task.created")
    with django_capture_on_commit_callbacks(execute=True):
        emit("task.created", {"id": 1})
    ids = {"webhook_id": endpoint.pk, "delivery_id": Delivery.objects.get().pk}
    statuses = {}
    for role in ROLES:
        before = snapshot()
        response = call(callers[role], method, path.format(**ids), body)
        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), role
            assert response.json()["detail"], role
            assert snapshot() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_every_webhook_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Webhooks")
    assert documented == {(method, path) for method, path, *_rest in MATRIX}
