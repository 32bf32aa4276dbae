"""What the budgets' tests share: Gus, a member of another category, and Bob's API client."""

import pytest

from commun.conftest import category, make_member
from commun.testing.api import bearer


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def member_api(bob):
    return bearer(bob.user)
