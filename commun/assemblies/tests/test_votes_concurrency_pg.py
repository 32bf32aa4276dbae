"""Votes under real concurrency (PostgreSQL row locks): votes cast while the chair closes
the resolution, and one voice cast twice at once. Each vote lands before the count or is
refused after it; nothing is counted twice or lost."""

import pytest
from django.core.exceptions import ValidationError

from commun.assemblies.models import AgendaItem, Vote
from commun.conftest import category, make_member
from commun.testing.assemblies import convened
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def voting(alice, bob, count: int):
    """An assembly in session, everyone signed in, its resolution open to the vote."""
    voters = [
        make_member(f"v{i}@example.org", f"V{i}", "Test", category("Partenaires"))
        for i in range(count)
    ]
    assembly = convened(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in voters:
        assembly.participants.get(member=member).check_in(member.user)
    item = assembly.items.get(position=1)
    assembly.open_resolution(alice.user, item)
    return item, voters


def test_votes_racing_the_close_are_counted_or_refused_never_lost(alice, bob):
    item, voters = voting(alice, bob, 9)

    def act(i):
        fresh = AgendaItem.objects.get(pk=item.pk)
        if i == 0:
            return fresh.close_vote(alice.user)
        return fresh.vote(voters[i - 1].user, "yes")

    outcomes = all_at_once(10, act)

    unexpected = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, ValidationError) for o in unexpected), outcomes
    item.refresh_from_db()
    landed = sum(isinstance(o, Vote) for o in outcomes)
    assert item.status == "closed"
    assert item.result["yes"] == landed == Vote.objects.filter(item=item).count()
    assert landed + len(unexpected) == 9


def test_one_voice_cast_twice_at_once_is_one_vote(alice, bob):
    item, voters = voting(alice, bob, 1)
    choices = ["yes", "no"] * 4

    outcomes = all_at_once(8, lambda i: item.vote(voters[0].user, choices[i]))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Vote.objects.filter(item=item).count() == 1
    item.close_vote(alice.user)
    item.refresh_from_db()
    assert item.result["yes"] + item.result["no"] == 1
