"""What the members' tests share: a cache emptied around each test (the signup rate limit
lives there) and token clients per role for the API."""

import pytest
from django.core.cache import cache
from django.test import Client

from commun.testing.api import bearer


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The signup rate limit lives in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def callers(alice, bob, carol, dan) -> dict[str, Client]:
    """Token clients per role: Carol applied, Dan has an account, Bob is a member,
    Alice an officer."""
    return {
        "visitor": Client(),
        "applicant": bearer(carol.user),
        "account": bearer(dan),
        "member": bearer(bob.user),
        "officer": bearer(alice.user),
    }
