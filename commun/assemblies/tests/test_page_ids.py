"""The assembly page holds several forms at once: no two of its elements share an id, so
each label leads to its own field (and a screen reader reads the right one)."""

import re
from collections import Counter

import pytest

from commun.conftest import client_for
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db


def test_no_two_elements_of_a_draft_assembly_page_share_an_id(alice):
    assembly = draft(alice.user)
    page = client_for(alice.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert ids["id_title"] == 1
    assert [name for name, count in ids.items() if count > 1] == []
