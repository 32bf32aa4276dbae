"""The database itself keeps the assemblies' ballot boxes append-only: raw SQL, as a shell
session, a bug elsewhere or a careless script would write it, can't change nor remove a
cast ballot — the secret vote's box and the election's. Each test runs on SQLite, and again
in the PostgreSQL pass.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from commun.assemblies import elections
from commun.assemblies.ballots import SecretBallot
from commun.assemblies.elections import ElectionBallot, Method
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db

on_both = pytest.mark.parametrize(
    "_database", ["any", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
BOXES = {
    "assemblies_secretballot": "choice = 'no'",
    "assemblies_electionballot": "candidates = '[]'",
}
REFUSAL = "append-only table {table}: a cast ballot is never changed nor removed"


@pytest.fixture
def boxes(alice, bob):
    """A secret vote and an election, each with two ballots in its box."""
    assembly = draft(alice.user)
    election = elections.add_election(alice.user, assembly, "Conseil", 1, Method.MAJORITY)
    elections.add_candidate(alice.user, election, alice)
    assembly.convene(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob):
        assembly.participants.get(member=member).check_in(member.user)
    resolution = assembly.items.get(position=1)
    resolution.mark_secret(alice.user)
    assembly.open_resolution(alice.user, resolution)
    for member in (alice, bob):
        resolution.vote(member.user, "yes")
    resolution.close_vote(alice.user)
    election.refresh_from_db()
    assembly.open_resolution(alice.user, election)
    for member in (alice, bob):
        election.vote(member.user, [alice.number])
    election.close_vote(alice.user)
    return assembly


def stored() -> list:
    return [
        list(SecretBallot.objects.order_by("item", "sequence").values_list("choice", "hash")),
        list(ElectionBallot.objects.order_by("item", "sequence").values_list("candidates", "hash")),
    ]


def refused(sql: str, table: str) -> None:
    with (
        pytest.raises(DatabaseError, match=REFUSAL.format(table=table)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


@on_both
@pytest.mark.parametrize("table", BOXES)
def test_the_database_refuses_to_change_or_remove_a_cast_ballot(boxes, table, _database):
    before = stored()
    assert all(before), "both boxes hold ballots"

    refused(f"UPDATE {table} SET {BOXES[table]}", table)  # noqa: S608 (names above)
    refused(f"DELETE FROM {table}", table)  # noqa: S608 (names above)

    assert stored() == before
