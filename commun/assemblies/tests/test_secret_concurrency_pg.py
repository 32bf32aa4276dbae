"""Secret votes under real concurrency (PostgreSQL row locks): one voice cast at once from
several phones is one ballot, and ballots racing the close are counted or refused, never
lost; the box's chain never forks."""

import pytest
from django.core.exceptions import ValidationError

from commun.assemblies.ballots import SecretBallot, SecretRoll, verify_box
from commun.assemblies.models import AgendaItem
from commun.conftest import category, make_member
from commun.testing.assemblies import draft
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def voting_in_secret(alice, bob, count: int):
    """An assembly in session, everyone signed in, its secret resolution open to the vote."""
    voters = [
        make_member(f"v{i}@example.org", f"V{i}", "Test", category("Partenaires"))
        for i in range(count)
    ]
    assembly = draft(alice.user)
    item = assembly.add_item(
        alice.user, AgendaItem.Kind.RESOLUTION, "Exclusion", "L'assemblée exclut…", secret=True
    )
    assembly.convene(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in voters:
        assembly.participants.get(member=member).check_in(member.user)
    assembly.open_resolution(alice.user, item)
    return item, voters


def test_one_voice_cast_at_once_from_several_phones_is_one_ballot(alice, bob):
    item, voters = voting_in_secret(alice, bob, 1)
    choices = ["yes", "no"] * 4

    outcomes = all_at_once(8, lambda i: item.vote(voters[0].user, choices[i]))

    landed = [o for o in outcomes if isinstance(o, SecretBallot)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(landed) == 1 and len(refused) == 7, outcomes
    assert all(isinstance(o, ValidationError) for o in refused), outcomes
    assert SecretBallot.objects.filter(item=item).count() == 1
    assert SecretRoll.objects.filter(item=item).count() == 1
    item.close_vote(alice.user)
    item.refresh_from_db()
    assert item.result["yes"] + item.result["no"] == 1


def test_secret_ballots_racing_the_close_are_counted_or_refused_never_lost(alice, bob):
    item, voters = voting_in_secret(alice, bob, 9)

    def act(i):
        fresh = AgendaItem.objects.get(pk=item.pk)
        if i == 0:
            return fresh.close_vote(alice.user)
        return fresh.vote(voters[i - 1].user, "yes")

    outcomes = all_at_once(10, act)

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, ValidationError) for o in refused), outcomes
    landed = sum(isinstance(o, SecretBallot) for o in outcomes)
    item.refresh_from_db()
    assert item.status == "closed"
    assert item.result["yes"] == landed == SecretBallot.objects.filter(item=item).count()
    assert SecretRoll.objects.filter(item=item).count() == landed
    assert landed + len(refused) == 9
    assert verify_box(item) == (True, None)
