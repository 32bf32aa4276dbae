"""The chair and the secretary confirming the minutes at the same moment (PostgreSQL row
locks): the minutes freeze once, both confirmations are kept, the journal has one entry."""

import pytest

from commun.assemblies.models import Assembly, Minutes
from commun.ledger.models import JournalEntry
from commun.testing.assemblies import in_session, vote_on
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_chair_and_the_secretary_confirming_at_once_freeze_the_minutes_once(alice, bob):
    assembly = in_session(alice.user, alice, bob, alice, bob)
    vote_on(assembly, alice, 1, {alice: "yes", bob: "yes"})
    assembly.close_session(alice.user)
    people = (alice, bob)

    outcomes = all_at_once(
        2, lambda i: Assembly.objects.get(pk=assembly.pk).confirm_minutes(people[i].user)
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    record = Minutes.objects.get(assembly=assembly)
    assert record.chair_confirmed_at and record.secretary_confirmed_at and record.frozen_at
    assert record.draft_sha256 == record.sha256
    assert Assembly.objects.get(pk=assembly.pk).phase == "minutes_frozen"
    assert JournalEntry.objects.filter(kind="assembly_minutes").count() == 1
