"""What the board's tests share: Gus, a member of another category, and the tasks' need."""

import pytest

from commun.conftest import category, make_member
from commun.testing.budgets import need_by


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def need(bob):
    """Bob's need: Bob answers for its tasks that no mission funds."""
    return need_by(bob)
