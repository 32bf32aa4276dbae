"""What the decisions' tests share: Eve (contributors' college), Gus (users' college) and
token clients per role for the API."""

import pytest
from django.test import Client

from commun.conftest import category, make_member
from commun.testing.api import bearer


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Contrib"))


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def callers(alice, bob, eve, gus, dan) -> dict[str, Client]:
    return {
        "visitor": Client(),
        "account": bearer(dan),
        "member": bearer(gus.user),
        "other_college": bearer(eve.user),
        "author": bearer(bob.user),
        "officer": bearer(alice.user),
    }
