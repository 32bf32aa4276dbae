"""The feeds' and calendars' endpoints × role: the channels are public, a calendar address
is a member's own. A refusal answers JSON and writes no address."""

import pytest
from django.test import Client

from commun.feeds.models import CalendarLink
from commun.testing.api import bearer, call, documented_endpoints

ROLES = ["visitor", "applicant", "account", "member", "officer"]
MATRIX = [
    ("GET", "/channels", (200, 200, 200, 200, 200)),
    ("POST", "/me/calendar", (401, 403, 403, 201, 201)),
    ("DELETE", "/me/calendar", (401, 403, 403, 204, 204)),
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


@pytest.mark.parametrize(
    ("method", "path", "expected"), [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX]
)
def test_permission_matrix(callers, method, path, expected):
    statuses = {}
    for role in ROLES:
        before = sorted(CalendarLink.objects.values_list("pk", "digest"))
        response = call(callers[role], method, path)
        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response.json()["detail"], role
            assert sorted(CalendarLink.objects.values_list("pk", "digest")) == before, role
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_every_channel_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Flux et calendriers")
    assert documented == {(method, path) for method, path, *_rest in MATRIX}
