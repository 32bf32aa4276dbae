"""Secret ballot: a roll of who voted, a box of what, nothing joining them; a checkable chain."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models

from commun.conftest import category
from commun.decisions.models import GENESIS_HASH, Ballot, Decision, Stance, VoterRoll
from commun.testing.appendonly import tamper
from commun.testing.decisions import many_members, opened


@pytest.fixture
def election(alice, bob):
    decision = opened(alice, "approval", is_secret=True, options=["Ana", "Bruno", "Chloé"])
    return decision


def option_ids(decision):
    return list(decision.options.values_list("pk", flat=True))


def test_the_roll_and_the_box_share_no_column_but_the_round():
    roll = {f.column: f for f in VoterRoll._meta.concrete_fields}
    box = {f.column: f for f in Ballot._meta.concrete_fields}

    assert set(roll) == {"id", "round_id", "member_id"}
    assert set(box) == {"id", "round_id", "sequence", "receipt", "content", "previous_hash", "hash"}
    for field in [*roll.values(), *box.values()]:
        assert not isinstance(field, (models.DateTimeField, models.DateField, models.TimeField))
        if field.is_relation:
            assert field.related_model.__name__ == "Round" or field.name == "member"
    assert not any(f.is_relation and f.related_model is VoterRoll for f in box.values())
    assert not any(f.is_relation and f.related_model is Ballot for f in roll.values())
    # Random keys: no counter a voter's row and a ballot could be matched by.
    assert isinstance(roll["id"], models.UUIDField) and isinstance(box["id"], models.UUIDField)
    assert VoterRoll._meta.ordering == []


def test_a_vote_writes_one_roll_row_and_one_ballot_with_random_ids(election, alice):
    receipt = election.current_round.cast_secret_ballot(alice, [option_ids(election)[0]])

    roll = VoterRoll.objects.get()
    ballot = Ballot.objects.get()
    assert roll.member == alice
    assert ballot.receipt == receipt
    assert uuid.UUID(str(roll.id)).version == 4 and uuid.UUID(str(ballot.id)).version == 4
    assert roll.id != ballot.id
    assert "member" not in str(ballot.content) and str(alice.pk) not in ballot.receipt
    assert not Stance.objects.exists()


def test_after_the_close_the_roll_keeps_no_trace_of_the_voting_order(alice):
    voters = many_members(6, category("Partenaires"))
    decision = opened(alice, "yes_no", is_secret=True)
    # They vote in the reverse order of their ids, as the box's sequence records.
    for member in reversed(voters):
        decision.current_round.cast_secret_ballot(member, "yes")
    by_id = sorted(m.pk for m in voters)

    decision.close(now=decision.closes_at)

    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT member_id FROM decisions_voterroll ORDER BY {order}")  # noqa: S608
        stored_order = [row[0] for row in cursor.fetchall()]
    assert stored_order == by_id  # member order, not the voting order
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT xmin::text) FROM decisions_voterroll")
            assert cursor.fetchone()[0] == 1  # all rewritten by one transaction


def test_every_receipt_is_found_in_the_published_box(alice):
    voters = many_members(5, category("Partenaires"))
    decision = opened(alice, "yes_no", is_secret=True)
    receipts = [
        decision.current_round.cast_secret_ballot(m, c)
        for m, c in zip(voters, ["yes", "no", "yes", "abstain", "yes"], strict=True)
    ]
    box = decision.current_round.published_box()
    assert box["count"] == 5
    assert {b["receipt"] for b in box["ballots"]} == set(receipts)
    assert [b["sequence"] for b in box["ballots"]] == [1, 2, 3, 4, 5]
    assert box["ballots"][0]["previous_hash"] == GENESIS_HASH
    for before, after in zip(box["ballots"], box["ballots"][1:], strict=False):
        assert after["previous_hash"] == before["hash"]
    assert box["head"] == box["ballots"][-1]["hash"] == decision.current_round.head_hash
    assert decision.current_round.verify_chain() == (True, None)


def test_results_stay_hidden_until_the_close(alice, bob):
    decision = opened(alice, "yes_no", is_secret=True)
    decision.current_round.cast_secret_ballot(alice, "yes")
    decision.current_round.cast_secret_ballot(bob, "no")

    assert decision.tally() is None
    assert all(b["content"] is None for b in decision.current_round.published_box()["ballots"])

    decision.close(now=decision.closes_at)

    assert (decision.tally()["yes"], decision.tally()["no"]) == (1, 1)
    box = decision.current_round.published_box()
    assert sorted(b["content"]["choice"] for b in box["ballots"]) == ["no", "yes"]


def test_altering_a_ballot_breaks_the_chain_and_names_it(alice):
    voters = many_members(4, category("Partenaires"))
    decision = opened(alice, "yes_no", is_secret=True)
    for member in voters:
        decision.current_round.cast_secret_ballot(member, "yes")
    round = decision.current_round
    assert round.verify_chain() == (True, None)

    tamper(
        (
            "UPDATE decisions_ballot SET content = %s WHERE round_id = %s AND sequence = 3",
            ['{"choice": "no"}', round.pk],
        ),
        tables=["decisions_ballot"],
    )

    assert round.verify_chain() == (False, 3)


def test_removing_a_ballot_breaks_the_chain_where_it_was(alice):
    voters = many_members(4, category("Partenaires"))
    decision = opened(alice, "yes_no", is_secret=True)
    for member in voters:
        decision.current_round.cast_secret_ballot(member, "yes")
    tamper("DELETE FROM decisions_ballot WHERE sequence = 2", tables=["decisions_ballot"])
    assert decision.current_round.verify_chain() == (False, 2)


def test_a_secret_vote_cannot_be_changed(election, alice):
    first = option_ids(election)[0]
    election.current_round.cast_secret_ballot(alice, [first])

    with pytest.raises(ValidationError, match="déjà voté"):
        election.current_round.cast_secret_ballot(alice, [option_ids(election)[1]])
    with pytest.raises(ValidationError, match="secret"):
        election.current_round.take_stance(alice, "ballot", ballot=[first])
    assert VoterRoll.objects.count() == Ballot.objects.count() == 1


def test_someone_not_eligible_casts_nothing(election, dan):
    with pytest.raises(PermissionDenied):
        election.current_round.cast_secret_ballot(dan, [option_ids(election)[0]])
    assert not VoterRoll.objects.exists() and not Ballot.objects.exists()


def test_a_bad_secret_ballot_writes_nothing(election, alice):
    with pytest.raises(ValidationError):
        election.current_round.cast_secret_ballot(alice, [999_999])
    assert not VoterRoll.objects.exists() and not Ballot.objects.exists()


def test_the_secret_election_is_counted_at_the_close(election, alice, bob):
    ana, bruno, _chloe = option_ids(election)
    election.current_round.cast_secret_ballot(alice, [ana, bruno])
    election.current_round.cast_secret_ballot(bob, [bruno])
    election.close(now=election.closes_at)
    assert election.outcome == Decision.Outcome.ADOPTED
    assert election.result["winners"] == [bruno]
    assert election.result["voters"] == 2


def test_no_secret_ballot_after_the_close(election, alice):
    election.close(now=election.closes_at)
    with pytest.raises(ValidationError, match="clos"):
        election.current_round.cast_secret_ballot(alice, [option_ids(election)[0]])


def test_a_weighted_secret_vote_keeps_each_ballots_college(alice, bob):
    decision = opened(alice, "yes_no", is_secret=True, weighted_by_college=True)
    decision.current_round.cast_secret_ballot(alice, "no")
    decision.current_round.cast_secret_ballot(bob, "yes")
    decision.close(now=decision.closes_at)
    colleges = {c["yes"] + c["no"] for c in decision.result["colleges"].values()}
    assert colleges == {1}
    assert decision.result["weighted_yes_share"] == "1/2"


def test_a_consent_decision_cannot_be_secret(alice):
    with pytest.raises(ValidationError) as error:
        opened(alice, "consent", is_secret=True)
    assert "is_secret" in error.value.message_dict


def test_a_withdrawn_secret_vote_never_shows_its_ballots(alice, bob):
    decision = opened(alice, "yes_no", is_secret=True)
    decision.current_round.cast_secret_ballot(bob, "no")
    decision.current_round.cast_secret_ballot(alice, "yes")
    decision.withdraw(alice)
    assert decision.tally() is None
    box = decision.current_round.published_box()
    assert box["count"] == 2 and all(b["content"] is None for b in box["ballots"])
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT member_id FROM decisions_voterroll ORDER BY {order}")  # noqa: S608
        assert [row[0] for row in cursor.fetchall()] == sorted([alice.pk, bob.pk])


def test_a_cast_ballot_is_neither_saved_again_nor_deleted_through_the_orm(election, alice):
    election.current_round.cast_secret_ballot(alice, [option_ids(election)[0]])
    ballot = Ballot.objects.get()
    ballot.content = {"tampered": True}
    with pytest.raises(PermissionError):
        ballot.save()
    with pytest.raises(PermissionError):
        ballot.delete()
    with pytest.raises(PermissionError):
        Ballot.objects.filter(pk=ballot.pk).update(content={})
    assert Ballot.objects.get().content != {"tampered": True}
