"""The deliberation's people and places, for any app's tests that need them.

Bob (users' college) and Gus (users' college too) are plain members; Eve belongs to the
contributors' college, like Alice the officer; Frank is in the contributors' college and
in the « Jardin » circle. A plugin of `commun/conftest.py`: an app's own fixture of the same
name wins.
"""

import pytest

from commun.conftest import category, make_member
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
