"""One person, one voice under real concurrency (PostgreSQL row locks and unique indexes).

SQLite serialises every writer, so these only prove something on PostgreSQL.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from commun.conftest import category
from commun.decisions.models import Ballot, Decision, Round, Stance, StanceChange, VoterRoll
from commun.testing.concurrency import all_at_once
from commun.testing.decisions import many_members, opened

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_stances_at_once_from_one_member_count_once(alice, bob):
    decision = opened(bob, "yes_no")
    round_id = decision.current_round.pk
    choices = ["yes", "no", "abstain"]

    outcomes = all_at_once(
        50, lambda i: Round.objects.get(pk=round_id).take_stance(alice, choices[i % 3])
    )

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    assert Stance.objects.filter(member=alice).count() == 1
    assert StanceChange.objects.filter(stance__member=alice).count() == 50
    # Applied one after the other: the counted stance is the last one written.
    stance = Stance.objects.get(member=alice)
    assert stance.choice == StanceChange.objects.filter(stance=stance).latest("pk").choice
    tally = decision.tally()
    assert tally["yes"] + tally["no"] + tally["abstain"] == 1


def test_fifty_members_at_once_give_fifty_stances(alice):
    voters = many_members(50, category("Partenaires"))
    decision = opened(alice, "yes_no")
    round_id = decision.current_round.pk

    outcomes = all_at_once(
        50, lambda i: Round.objects.get(pk=round_id).take_stance(voters[i], "yes")
    )

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert Stance.objects.count() == 50
    assert decision.tally()["yes"] == 50


def test_secret_ballots_at_once_keep_one_linear_chain(alice):
    voters = many_members(30, category("Partenaires"))
    decision = opened(alice, "yes_no", is_secret=True)
    round_id = decision.current_round.pk

    outcomes = all_at_once(
        30, lambda i: Round.objects.get(pk=round_id).cast_secret_ballot(voters[i], "yes")
    )

    assert not [o for o in outcomes if isinstance(o, Exception)]
    round = Round.objects.get(pk=round_id)
    assert list(Ballot.objects.values_list("sequence", flat=True)) == list(range(1, 31))
    assert round.verify_chain() == (True, None)
    assert sorted(b["receipt"] for b in round.published_box()["ballots"]) == sorted(outcomes)
    assert VoterRoll.objects.count() == 30


def test_one_secret_voter_voting_twice_at_once_votes_once(alice, bob):
    decision = opened(alice, "yes_no", is_secret=True)
    round_id = decision.current_round.pk

    outcomes = all_at_once(
        10, lambda i: Round.objects.get(pk=round_id).cast_secret_ballot(bob, "yes")
    )

    receipts = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(receipts) == 1 and len(refusals) == 9, outcomes
    assert Ballot.objects.count() == VoterRoll.objects.count() == 1


def test_stances_racing_the_close_are_either_counted_or_refused(alice):
    voters = many_members(40, category("Partenaires"))
    decision = opened(alice, "yes_no")
    round_id = decision.current_round.pk
    just_before = decision.closes_at - datetime.timedelta(seconds=1)

    def work(i):
        if i == 20:
            return Decision.objects.get(pk=decision.pk).close(now=decision.closes_at)
        voter = voters[i if i < 20 else i - 1]
        return Round.objects.get(pk=round_id).take_stance(voter, "yes", now=just_before)

    outcomes = all_at_once(41, work)

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert all("clos" in str(error) for error in refused), refused
    assert not [o for o in outcomes if isinstance(o, Exception) and o not in refused]
    decision.refresh_from_db()
    assert decision.phase == "closed"
    # Nothing slipped in after the count: what is stored is what was counted.
    assert decision.result["voters"] == Stance.objects.count() == 40 - len(refused)


def test_the_newest_history_entry_is_always_the_stance_in_force(alice, bob):
    decision = opened(bob, "yes_no")
    round_id = decision.current_round.pk
    choices = ["yes", "no", "abstain"]

    for burst in range(50):
        outcomes = all_at_once(
            8,
            lambda i, burst=burst: Round.objects.get(pk=round_id).take_stance(
                alice, choices[(i + burst) % 3]
            ),
        )

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        stance = Stance.objects.get(member=alice)
        # History is read in time order (its Meta ordering): its end is what is counted.
        newest = StanceChange.objects.filter(stance=stance).last()
        assert (newest.choice, newest.at) == (stance.choice, stance.updated_at), burst
