"""Proxies under real concurrency (PostgreSQL row locks): the same proxy given to two holders
at once, and principals racing past a holder's limit. SQLite serialises every writer, so
these only prove something on PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError

from commun.assemblies.models import Participant
from commun.conftest import category, make_member
from commun.testing.assemblies import convened
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def members(count: int, prefix: str) -> list:
    return [
        make_member(f"{prefix}{i}@example.org", f"{prefix}{i}", "Test", category("Partenaires"))
        for i in range(count)
    ]


def test_the_same_proxy_given_to_two_holders_at_once_lands_on_one(alice, bob):
    holders = members(8, "holder")
    assembly = convened(alice.user, max_proxies=1)
    principal = assembly.participants.get(member=bob)

    outcomes = all_at_once(
        8, lambda i: Participant.objects.get(pk=principal.pk).answer(bob.user, "proxy", holders[i])
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    principal.refresh_from_db()
    carried = Participant.objects.filter(assembly=assembly, proxies__isnull=False)
    assert carried.distinct().count() == 1
    assert principal.holder is not None
    assert Participant.objects.filter(holder__isnull=False).count() == 1


def test_principals_racing_past_a_holder_s_limit(alice, bob):
    principals = members(10, "principal")
    assembly = convened(alice.user, max_proxies=3)

    def give(i):
        row = assembly.participants.get(member=principals[i])
        return row.answer(principals[i].user, "proxy", bob)

    outcomes = all_at_once(10, give)

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 7, outcomes
    assert all("déjà 3 pouvoir" in str(error) for error in refused)
    assert assembly.participants.get(member=bob).proxies.count() == 3
