"""Votes counted through real stances, against worked examples and edge cases."""

import pytest

from commun.conftest import category
from commun.decisions.models import Decision
from commun.members.models import College
from commun.testing.decisions import many_members, opened

Outcome = Decision.Outcome


def vote(author, voters, choices, **fields):
    """Open a yes / no vote, let `voters[i]` say `choices[i]`, close it at the deadline."""
    decision = opened(author, "yes_no", **fields)
    for member, choice in zip(voters, choices, strict=False):
        decision.current_round.take_stance(member, choice)
    decision.close(now=decision.closes_at)
    return decision


@pytest.fixture
def twelve(alice):
    return many_members(12, category("Partenaires"))


def test_two_thirds_reached_exactly_adopts(alice, twelve):
    # 8 yes out of 12 expressed: exactly two thirds.
    decision = vote(alice, twelve, ["yes"] * 8 + ["no"] * 4, threshold="two_thirds")
    assert decision.outcome == Outcome.ADOPTED
    assert decision.result["yes_share"] == "2/3"


def test_just_under_two_thirds_rejects(alice, twelve):
    decision = vote(alice, twelve, ["yes"] * 7 + ["no"] * 4 + ["abstain"], threshold="two_thirds")
    assert decision.outcome == Outcome.REJECTED


def test_three_quarters_reached_exactly_adopts(alice, twelve):
    decision = vote(alice, twelve, ["yes"] * 9 + ["no"] * 3, threshold="three_quarters")
    assert decision.outcome == Outcome.ADOPTED


def test_a_tie_is_not_a_majority_it_is_a_tie(alice, twelve):
    decision = vote(alice, twelve, ["yes"] * 6 + ["no"] * 6, tie_rule="lots")
    assert decision.outcome == Outcome.TIED
    assert decision.result["yes_share"] == "1/2"
    assert decision.result["tied"] == ["yes", "no"]


def test_abstentions_count_for_the_quorum_not_the_majority(alice, twelve):
    # 13 eligible (alice and the twelve); 7 take part = 53.85 % >= 50 %.
    decision = vote(alice, twelve, ["yes", "yes", "no"] + ["abstain"] * 4, quorum_percent=50)
    assert decision.result["quorum_reached"] is True
    assert decision.result["yes_share"] == "2/3"
    assert decision.outcome == Outcome.ADOPTED


def test_exactly_at_the_quorum_is_enough(alice, bob):
    # 2 eligible, 1 votes: exactly 50 %.
    decision = vote(alice, [bob], ["yes"], quorum_percent=50)
    assert decision.result["participation"] == "1/2"
    assert decision.outcome == Outcome.ADOPTED


def test_under_the_quorum_the_vote_says_so(alice, twelve):
    decision = vote(alice, twelve, ["yes"] * 6, quorum_percent=50)
    assert decision.result["quorum_reached"] is False
    assert decision.outcome == Outcome.NO_QUORUM


def test_zero_voters_adopts_nothing(alice, bob):
    decision = vote(alice, [], [])
    assert decision.result["voters"] == 0
    assert decision.result["yes_share"] is None
    assert decision.outcome == Outcome.REJECTED


def test_zero_voters_with_a_quorum_lapses(alice, bob):
    assert vote(alice, [], [], quorum_percent=10).outcome == Outcome.NO_QUORUM


def test_everyone_abstaining_rejects(alice, bob):
    decision = vote(alice, [alice, bob], ["abstain", "abstain"], quorum_percent=100)
    assert decision.result["quorum_reached"] is True
    assert decision.outcome == Outcome.REJECTED


# Schulze: Wikipedia's worked example (Schulze 2011), 45 voters, 5 candidates, winner E.
WIKIPEDIA = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


def test_the_45_voter_schulze_example_elects_e_through_real_ballots(alice):
    voters = many_members(45, category("Partenaires"))
    decision = opened(alice, "ranked", options=list("ABCDE"))
    ids = {option.label: option.pk for option in decision.options.all()}
    ballots = [order for count, order in WIKIPEDIA for _ in range(count)]
    for member, order in zip(voters, ballots, strict=True):
        decision.current_round.take_stance(member, "ballot", ballot=[[ids[c]] for c in order])

    decision.close(now=decision.closes_at)

    label = {pk: name for name, pk in ids.items()}
    assert decision.outcome == Outcome.ADOPTED
    assert [label[pk] for pk in decision.result["winners"]] == ["E"]
    assert [[label[pk] for pk in group] for group in decision.result["ranking"]] == [
        ["E"],
        ["A"],
        ["C"],
        ["B"],
        ["D"],
    ]
    assert decision.result["pairwise"][str(ids["A"])][str(ids["B"])] == 20
    assert decision.result["voters"] == 45


def test_approval_counts_each_option_and_returns_ties(alice, bob):
    eve = many_members(1, category("Partenaires"))[0]
    decision = opened(alice, "approval", options=["Rouge", "Vert", "Bleu"])
    red, green, blue = decision.options.values_list("pk", flat=True)
    decision.current_round.take_stance(alice, "ballot", ballot=[red, green])
    decision.current_round.take_stance(bob, "ballot", ballot=[green, blue])
    decision.current_round.take_stance(eve, "ballot", ballot=[str(red)])

    tally = decision.tally()

    assert tally["counts"] == {str(red): 2, str(green): 2, str(blue): 1}
    assert tally["winners"] == [red, green]


def test_score_split_shares_in_proportion(alice, bob):
    decision = opened(alice, "score", options=["Django", "htmx"], points_per_voter=10)
    django, htmx = decision.options.values_list("pk", flat=True)
    decision.current_round.take_stance(alice, "ballot", ballot={django: 7, htmx: 3})
    decision.current_round.take_stance(bob, "ballot", ballot={str(django): 5, str(htmx): 5})
    decision.close(now=decision.closes_at)

    assert decision.result["points"] == {str(django): 12, str(htmx): 8}
    assert decision.result["shares"] == {str(django): "3/5", str(htmx): "2/5"}
    assert decision.split_amount(100_001) == {django: 60_001, htmx: 40_000}


def test_colleges_weighted_yes_no(alice, bob):
    # Weights: founders 40, contributors 30, users 30. Contributors (alice) say no, users
    # say 2 yes (bob and one more) and 1 no: the silent founders are left out, the rest
    # rescaled.
    users = many_members(2, category("Partenaires"))
    decision = opened(alice, "yes_no", weighted_by_college=True)
    round = decision.current_round
    round.take_stance(alice, "no")
    round.take_stance(bob, "yes")
    round.take_stance(users[0], "yes")
    round.take_stance(users[1], "no")
    contributors = College.objects.get(name__startswith="Contrib").pk
    users_college = College.objects.get(name__startswith="Usager").pk

    decision.close(now=decision.closes_at)

    result = decision.result
    assert result["colleges"][str(contributors)]["yes_share"] == "0"
    assert result["colleges"][str(users_college)]["yes_share"] == "2/3"
    # (30 × 0 + 30 × 2/3) / 60 = 1/3, although half of the voters said yes.
    assert result["weighted_yes_share"] == "1/3"
    assert result["yes"] == 2 and result["no"] == 2
    assert decision.outcome == Outcome.REJECTED


def test_weighting_refused_when_colleges_are_not_weighted(alice, bob):
    from django.core.exceptions import ValidationError

    College.objects.filter(name__startswith="Fond").update(weight_percent=None)
    with pytest.raises(ValidationError) as error:
        opened(alice, "yes_no", weighted_by_college=True)
    assert "weighted_by_college" in error.value.message_dict


def test_the_college_weights_are_fixed_at_the_opening(alice, bob):
    decision = opened(alice, "yes_no", weighted_by_college=True)
    College.objects.filter(name__startswith="Fond").update(weight_percent=50)
    College.objects.filter(name__startswith="Contrib").update(weight_percent=20)
    decision.current_round.take_stance(alice, "yes")
    decision.current_round.take_stance(bob, "no")
    decision.close(now=decision.closes_at)
    # Contributors 30 (yes) and users 30 (no), as at the opening: 1/2, not a majority.
    assert decision.result["weighted_yes_share"] == "1/2"


def test_the_tally_while_voting_takes_a_bounded_number_of_queries(
    alice, twelve, django_assert_max_num_queries
):
    decision = opened(alice, "yes_no")
    for member in twelve:
        decision.current_round.take_stance(member, "yes")
    decision = Decision.objects.get(pk=decision.pk)
    with django_assert_max_num_queries(4):
        tally = decision.tally()
    assert tally["yes"] == 12
