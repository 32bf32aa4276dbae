"""An election under real concurrency (PostgreSQL row locks): one voice cast at once from
several phones is one ballot, and a candidate added while the chair opens the vote lands
before it or is refused."""

import pytest
from django.core.exceptions import ValidationError

from commun.assemblies import elections
from commun.assemblies.ballots import SecretRoll
from commun.assemblies.elections import Candidate, ElectionBallot
from commun.assemblies.models import AgendaItem
from commun.conftest import category, make_member
from commun.testing.assemblies import draft
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def election_in_session(alice, bob, count: int):
    members = [
        make_member(f"v{i}@example.org", f"V{i}", "Test", category("Partenaires"))
        for i in range(count)
    ]
    assembly = draft(alice.user)
    item = elections.add_election(alice.user, assembly, "Conseil", 1, "approval")
    elections.add_candidate(alice.user, item, bob)
    assembly.convene(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob, *members):
        assembly.participants.get(member=member).check_in(member.user)
    return assembly, item, members


def test_one_voice_cast_at_once_is_one_ballot(alice, bob):
    assembly, item, members = election_in_session(alice, bob, 1)
    assembly.open_resolution(alice.user, item)

    outcomes = all_at_once(6, lambda i: item.vote(members[0].user, [bob.number]))

    assert sum(isinstance(o, ElectionBallot) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, ValidationError) for o in outcomes if isinstance(o, Exception))
    assert ElectionBallot.objects.filter(item=item).count() == 1
    assert SecretRoll.objects.filter(item=item).count() == 1


def test_candidates_racing_the_opening_land_before_it_or_are_refused(alice, bob):
    assembly, item, members = election_in_session(alice, bob, 5)

    def act(i):
        if i == 0:
            return assembly.open_resolution(alice.user, AgendaItem.objects.get(pk=item.pk))
        return elections.add_candidate(members[i - 1].user, item, members[i - 1])

    outcomes = all_at_once(6, act)

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, ValidationError) for o in refused), outcomes
    item.refresh_from_db()
    assert item.status == "open"
    landed = sum(isinstance(o, Candidate) for o in outcomes)
    assert Candidate.objects.filter(election__item=item).count() == 1 + landed
    assert landed + len(refused) == 5
