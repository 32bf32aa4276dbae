"""The deliberation's people and places.

Bob (users' college) and Gus (users' college too) are plain members; Eve belongs to the
contributors' college, like Alice the officer; Frank is in the contributors' college and
in the « Jardin » circle. Dan has an account, Carol has applied: neither is a member.
"""

import pytest

from commun.conftest import category, client_for, make_member
from commun.deliberation.models import Circle, Space
from commun.members.models import College, Member


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Contrib"))


@pytest.fixture
def frank(coop):
    frank = make_member("frank@example.org", "Frank", "Roux", category("Contrib"))
    Member.objects.filter(pk=frank.pk).update(pseudonym="Frankie")
    frank.refresh_from_db()
    return frank


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def garden(frank):
    return Circle.found("Jardin", "On cultive.", by=frank)


@pytest.fixture
def users_space(coop):
    return Space.objects.get(college=College.objects.get(name="Usager·es"))


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
