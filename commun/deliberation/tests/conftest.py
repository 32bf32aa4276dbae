"""The deliberation's people and places.

Bob (users' college) and Gus (users' college too) are plain members; Eve belongs to the
contributors' college, like Alice the officer; Frank is in the contributors' college and
in the « Jardin » circle. Dan has an account, Carol has applied: neither is a member.
"""

import pytest

from commun.conftest import client_for
from commun.deliberation.models import Space


@pytest.fixture
def coop_space(coop):
    return Space.objects.cooperative()


@pytest.fixture
def world(people, eve, frank, garden):
    """Everyone, with a logged-in client per role of the matrices."""
    return {
        **people,
        "other_college": client_for(eve.user),
        "circle_member": client_for(frank.user),
    }
