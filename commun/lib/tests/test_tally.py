"""Vote counting: published worked examples, threshold edge cases, and properties."""

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from commun.lib.tally import (
    Outcome,
    TallyError,
    Threshold,
    Weighted,
    choice_outcome,
    count_approval,
    count_yes_no,
    schulze,
    score_split,
    weighted_by_college,
)

HALF = Fraction(1, 2)


# Yes / no / abstain


def test_it_adopts_exactly_two_thirds():
    result = count_yes_no(20, 10, 5, 40, HALF, Threshold.TWO_THIRDS)
    assert result.yes_share == Fraction(2, 3)
    assert result.outcome is Outcome.ADOPTED and result.adopted


def test_it_rejects_just_under_two_thirds():
    result = count_yes_no(199, 101, 0, 300, HALF, Threshold.TWO_THIRDS)
    assert result.outcome is Outcome.REJECTED


def test_it_adopts_exactly_three_quarters_and_rejects_under():
    assert count_yes_no(3, 1, 0, 4, HALF, Threshold.THREE_QUARTERS).adopted
    assert not count_yes_no(74, 26, 0, 100, HALF, Threshold.THREE_QUARTERS).adopted
    assert count_yes_no(75, 25, 0, 100, HALF, Threshold.THREE_QUARTERS).adopted


def test_a_tie_under_simple_majority_is_a_tie_neither_adopted_nor_rejected():
    result = count_yes_no(5, 5, 0, 10, HALF, Threshold.SIMPLE_MAJORITY)
    assert result.yes_share == HALF
    assert result.outcome is Outcome.TIED and not result.adopted
    # Under two thirds, half is simply not enough.
    assert count_yes_no(5, 5, 0, 10, HALF, Threshold.TWO_THIRDS).outcome is Outcome.REJECTED
    assert count_yes_no(6, 5, 0, 11, HALF, Threshold.SIMPLE_MAJORITY).adopted


def test_it_counts_abstentions_for_quorum_but_not_for_the_threshold():
    result = count_yes_no(3, 1, 6, 10, Fraction(1, 2), Threshold.THREE_QUARTERS)
    assert result.participation == 1
    assert result.yes_share == Fraction(3, 4)
    assert result.adopted
    # Without the abstainers, 4 out of 10 is under the quorum.
    assert count_yes_no(3, 1, 0, 10, HALF, Threshold.THREE_QUARTERS).outcome is Outcome.NO_QUORUM


def test_it_reaches_the_quorum_exactly_at_its_share():
    assert count_yes_no(5, 0, 0, 10, HALF, Threshold.SIMPLE_MAJORITY).quorum_reached
    assert not count_yes_no(4, 0, 0, 10, HALF, Threshold.SIMPLE_MAJORITY).quorum_reached


def test_zero_voters_reach_no_quorum_and_adopt_nothing():
    result = count_yes_no(0, 0, 0, 10, Fraction(1, 4), Threshold.SIMPLE_MAJORITY)
    assert result.outcome is Outcome.NO_QUORUM
    assert result.yes_share is None
    # Even without a quorum, nobody voting adopts nothing.
    assert count_yes_no(0, 0, 0, 10, Fraction(0), Threshold.SIMPLE_MAJORITY).outcome is (
        Outcome.REJECTED
    )


def test_all_abstaining_reaches_the_quorum_but_adopts_nothing():
    result = count_yes_no(0, 0, 10, 10, HALF, Threshold.SIMPLE_MAJORITY)
    assert result.quorum_reached
    assert result.yes_share is None
    assert result.outcome is Outcome.REJECTED


def test_nobody_eligible_means_no_quorum():
    result = count_yes_no(0, 0, 0, 0, Fraction(0), Threshold.SIMPLE_MAJORITY)
    assert result.participation == 0
    assert result.outcome is Outcome.NO_QUORUM


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "eligible", "quorum"),
    [(6, 5, 0, 10, HALF), (-1, 0, 0, 10, HALF), (1, 0, 0, 10, Fraction(3, 2))],
)
def test_it_refuses_impossible_counts(yes, no, abstain, eligible, quorum):
    with pytest.raises(TallyError):
        count_yes_no(yes, no, abstain, eligible, quorum, Threshold.SIMPLE_MAJORITY)


# Approval


def test_it_counts_approvals_and_returns_every_tied_winner():
    result = count_approval([{"a", "b"}, {"b", "c"}, {"a"}, set()], ["a", "b", "c"])
    assert result.counts == {"a": 2, "b": 2, "c": 1}
    assert result.winners == ("a", "b")
    assert result.ballots == 4


def test_it_counts_an_approval_given_twice_on_a_ballot_once():
    assert count_approval([["a", "a"]], ["a", "b"]).counts == {"a": 1, "b": 0}


def test_nobody_approving_anything_has_no_winner():
    assert count_approval([set(), set()], ["a", "b"]).winners == ()


def test_it_refuses_an_approval_of_an_unknown_option():
    with pytest.raises(TallyError) as error:
        count_approval([{"a", "z"}], ["a", "b"])
    assert error.value.detail == {"option": "z"}


# Schulze

# Wikipedia, "Schulze method", worked example (from Schulze 2011): 45 voters, 5 candidates.
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
WIKIPEDIA_D = {  # d[x][y]: voters who prefer x to y
    "A": {"A": 0, "B": 20, "C": 26, "D": 30, "E": 22},
    "B": {"A": 25, "B": 0, "C": 16, "D": 33, "E": 18},
    "C": {"A": 19, "B": 29, "C": 0, "D": 17, "E": 24},
    "D": {"A": 15, "B": 12, "C": 28, "D": 0, "E": 14},
    "E": {"A": 23, "B": 27, "C": 21, "D": 31, "E": 0},
}
# Checked by hand, e.g. p[A][B] = min(A→D 30, D→C 28, C→B 29) = 28,
# p[E][A] = min(E→B 27, B→A 25) = 25, p[A][E] = min(A→D 30, D→C 28, C→E 24) = 24.
WIKIPEDIA_P = {
    "A": {"A": 0, "B": 28, "C": 28, "D": 30, "E": 24},
    "B": {"A": 25, "B": 0, "C": 28, "D": 33, "E": 24},
    "C": {"A": 25, "B": 29, "C": 0, "D": 29, "E": 24},
    "D": {"A": 25, "B": 28, "C": 28, "D": 0, "E": 24},
    "E": {"A": 25, "B": 28, "C": 28, "D": 31, "E": 0},
}


def strict(order):
    return [[option] for option in order]


def test_schulze_matches_the_published_45_voter_example():
    result = schulze([Weighted(n, strict(order)) for n, order in WIKIPEDIA], list("ABCDE"))
    assert result.d == WIKIPEDIA_D
    assert result.p == WIKIPEDIA_P
    assert result.winners == ("E",)
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))


def test_schulze_gives_the_same_result_for_weighted_and_repeated_ballots():
    repeated = [strict(order) for n, order in WIKIPEDIA for _ in range(n)]
    weighted = [Weighted(n, strict(order)) for n, order in WIKIPEDIA]
    assert schulze(repeated, "ABCDE") == schulze(weighted, "ABCDE")


def test_schulze_elects_the_condorcet_winner():
    # B beats A (2 to 1) and C (2 to 1), though A has the most first places.
    ballots = [strict("ABC"), strict("ABC"), strict("BCA"), strict("CBA"), strict("BAC")]
    assert schulze(ballots, "ABC").winners == ("B",)


def test_schulze_returns_a_tie_without_breaking_it():
    cycle = [strict("ABC"), strict("BCA"), strict("CAB")]
    result = schulze(cycle, "ABC")
    assert result.winners == ("A", "B", "C")
    assert result.ranking == (("A", "B", "C"),)
    assert schulze([strict("AB"), strict("BA")], "AB").ranking == (("A", "B"),)


def test_schulze_ranks_ties_inside_a_ballot_and_unranked_options_last():
    result = schulze([[["A", "B"]], [["C"]]], "ABCD")
    assert result.d["A"]["B"] == result.d["B"]["A"] == 0
    assert result.d["A"]["D"] == result.d["C"]["D"] == 1
    assert result.d["A"]["C"] == result.d["C"]["A"] == 1
    assert result.ranking[-1] == ("D",)


@pytest.mark.parametrize(
    "ballot",
    [[["A"], ["Z"]], [["A"], ["A", "B"]], Weighted(0, [["A"]])],
    ids=["unknown option", "ranked twice", "zero weight"],
)
def test_schulze_refuses_a_malformed_ballot(ballot):
    with pytest.raises(TallyError):
        schulze([ballot], "AB")


# Score split


def test_it_splits_cents_in_proportion_to_points():
    result = score_split([{"a": 5, "b": 3}, {"c": 2}], ["a", "b", "c"], 1000, budget=10)
    assert result.points == {"a": 5, "b": 3, "c": 2}
    assert result.shares == {"a": HALF, "b": Fraction(3, 10), "c": Fraction(1, 5)}
    assert result.cents == {"a": 500, "b": 300, "c": 200}


def test_it_gives_the_cents_left_to_the_largest_remainders():
    # Exact quotas 3.33… and 6.66…: the last cent goes to b.
    assert score_split([{"a": 1, "b": 2}], ["a", "b"], 10).cents == {"a": 3, "b": 7}


def test_it_breaks_equal_remainders_by_option_order():
    result = score_split([{"a": 1, "b": 1, "c": 1}], ["c", "a", "b"], 100)
    assert result.cents == {"c": 34, "a": 33, "b": 33}


def test_it_splits_nothing_when_nobody_gave_a_point():
    result = score_split([{}, {"a": 0}], ["a", "b"], 100)
    assert result.cents is None
    assert result.shares == {"a": 0, "b": 0}


@pytest.mark.parametrize(
    ("allocation", "detail"),
    [
        ({"a": -1}, {"option": "a", "points": -1, "voter": 0}),
        ({"z": 1}, {"option": "z"}),
        ({"a": 6, "b": 5}, {"voter": 0, "spent": 11, "budget": 10}),
        ({"a": 1.5}, {"option": "a", "points": 1.5}),
    ],
    ids=["negative points", "unknown option", "over budget", "not whole"],
)
def test_it_refuses_a_bad_allocation(allocation, detail):
    with pytest.raises(TallyError) as error:
        score_split([allocation], ["a", "b"], 100, budget=10)
    assert error.value.detail == detail


def test_it_accepts_a_voter_spending_exactly_the_budget():
    assert score_split([{"a": 6, "b": 4}], ["a", "b"], 10, budget=10).cents == {"a": 6, "b": 4}


def test_it_refuses_a_negative_amount():
    with pytest.raises(TallyError):
        score_split([{"a": 1}], ["a"], -1)


# Colleges weighted

WEIGHTS = {"fondateurs": 40, "salariés": 30, "usagers": 30}


def test_it_weights_each_colleges_yes_share():
    result = weighted_by_college(
        {"fondateurs": HALF, "salariés": Fraction(1), "usagers": Fraction(0)},
        WEIGHTS,
        Threshold.SIMPLE_MAJORITY,
    )
    assert result.yes_share == HALF  # 0.4 × ½ + 0.3 × 1 + 0.3 × 0: a tie, so rejected
    assert not result.adopted


def test_it_leaves_out_a_silent_college_and_renormalises_the_others():
    result = weighted_by_college(
        {"fondateurs": HALF, "salariés": Fraction(1), "usagers": None},
        WEIGHTS,
        Threshold.TWO_THIRDS,
    )
    assert result.weights == {"fondateurs": Fraction(4, 7), "salariés": Fraction(3, 7)}
    assert result.yes_share == Fraction(5, 7)
    assert result.adopted


def test_no_college_voting_adopts_nothing():
    result = weighted_by_college({}, WEIGHTS, Threshold.SIMPLE_MAJORITY)
    assert result.yes_share is None
    assert not result.adopted


@pytest.mark.parametrize(
    ("shares", "weights"),
    [
        ({"fondateurs": HALF}, {"fondateurs": 40, "salariés": 30}),
        ({"inconnus": HALF}, WEIGHTS),
        ({"fondateurs": Fraction(3, 2)}, WEIGHTS),
    ],
    ids=["weights not summing to 100", "unknown college", "share above 1"],
)
def test_it_refuses_bad_college_input(shares, weights):
    with pytest.raises(TallyError):
        weighted_by_college(shares, weights, Threshold.SIMPLE_MAJORITY)


# Properties

option_lists = st.lists(st.sampled_from("ABCDE"), min_size=3, max_size=5, unique=True)


@st.composite
def rankings(draw, options):
    """A ballot over some of the options, with ties: groups, most preferred first."""
    ranked = draw(st.permutations(options))[: draw(st.integers(0, len(options)))]
    levels = draw(st.lists(st.integers(0, 4), min_size=len(ranked), max_size=len(ranked)))
    groups = {}
    for option, level in zip(ranked, levels):
        groups.setdefault(level, []).append(option)
    return [groups[level] for level in sorted(groups)]


@st.composite
def elections(draw):
    options = draw(option_lists)
    return options, draw(st.lists(rankings(options), max_size=12))


def condorcet_winner(ballots, options):
    """Counted apart from `schulze`: the option every other loses to head to head."""

    def prefers(ballot, x, y):
        rank = {o: level for level, group in enumerate(ballot) for o in group}
        return rank.get(x, len(ballot)) < rank.get(y, len(ballot))

    for x in options:
        if all(
            sum(prefers(b, x, y) for b in ballots) > sum(prefers(b, y, x) for b in ballots)
            for y in options
            if y != x
        ):
            return x
    return None


@given(elections())
def test_schulze_elects_the_condorcet_winner_whenever_there_is_one(election):
    options, ballots = election
    winner = condorcet_winner(ballots, options)
    assume(winner is not None)
    assert schulze(ballots, options).winners == (winner,)


@given(elections(), st.randoms(use_true_random=False))
def test_the_order_of_ballots_never_changes_a_schulze_result(election, rng):
    options, ballots = election
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert schulze(shuffled, options) == schulze(ballots, options)


@given(elections())
def test_the_schulze_ranking_is_every_option_once_and_starts_with_the_winners(election):
    options, ballots = election
    result = schulze(ballots, options)
    assert sorted(o for group in result.ranking for o in group) == sorted(options)
    assert result.ranking[0] == result.winners


@st.composite
def approvals(draw):
    options = draw(option_lists)
    return options, draw(st.lists(st.sets(st.sampled_from(options)), max_size=20))


@given(approvals(), st.randoms(use_true_random=False))
def test_approval_counts_equal_the_ballots_approving(election, rng):
    options, ballots = election
    result = count_approval(ballots, options)
    for option in options:
        assert result.counts[option] == sum(option in ballot for ballot in ballots)
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert count_approval(shuffled, options) == result


@st.composite
def allocations(draw):
    options = draw(option_lists)
    points = st.dictionaries(st.sampled_from(options), st.integers(0, 1000))
    return options, draw(st.lists(points, max_size=10))


@given(allocations(), st.integers(0, 10**12), st.randoms(use_true_random=False))
def test_the_split_sums_exactly_to_the_total_and_never_goes_negative(election, total, rng):
    options, ballots = election
    result = score_split(ballots, options, total)
    if result.cents is None:
        assert result.total_points == 0
        return
    assert sum(result.cents.values()) == total
    for option in options:
        # Each option gets its exact quota rounded down or up, never further.
        assert result.cents[option] >= 0
        assert abs(result.cents[option] - total * result.shares[option]) < 1
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert score_split(shuffled, options, total) == result


@st.composite
def yes_no_counts(draw):
    eligible = draw(st.integers(1, 200))
    yes = draw(st.integers(0, eligible - 1))
    no = draw(st.integers(0, eligible - 1 - yes))
    abstain = draw(st.integers(0, eligible - 1 - yes - no))
    return yes, no, abstain, eligible


quorums = st.fractions(min_value=0, max_value=1, max_denominator=20)


@given(yes_no_counts(), quorums, st.sampled_from(Threshold))
def test_one_more_yes_never_turns_adopted_into_rejected(counts, quorum, threshold):
    yes, no, abstain, eligible = counts
    before = count_yes_no(yes, no, abstain, eligible, quorum, threshold)
    newcomer = count_yes_no(yes + 1, no, abstain, eligible, quorum, threshold)
    assert newcomer.adopted or not before.adopted
    if no:
        convert = count_yes_no(yes + 1, no - 1, abstain, eligible, quorum, threshold)
        assert convert.adopted or not before.adopted
    if abstain:
        convert = count_yes_no(yes + 1, no, abstain - 1, eligible, quorum, threshold)
        assert convert.adopted or not before.adopted


@given(
    st.dictionaries(st.sampled_from(list(WEIGHTS)), st.none() | quorums),
    st.sampled_from(Threshold),
)
def test_the_weighted_share_stays_between_the_colleges_shares(shares, threshold):
    result = weighted_by_college(shares, WEIGHTS, threshold)
    expressed = [s for c, s in shares.items() if s is not None]
    if not expressed:
        assert result.yes_share is None and not result.adopted
    else:
        assert min(expressed) <= result.yes_share <= max(expressed)
        assert sum(result.weights.values()) == 1


def unbeaten(result, options):
    """Counted apart from `schulze`'s ranking: options no other beats by strongest path."""
    return [x for x in options if all(result.p[x][y] >= result.p[y][x] for y in options)]


@given(elections(), st.booleans())
def test_no_tied_ranked_vote_is_ever_reported_adopted(election, quorum_reached):
    options, ballots = election
    result = schulze(ballots, options)
    outcome = choice_outcome(result.winners, quorum_reached)
    if len(unbeaten(result, options)) > 1:
        assert outcome in (Outcome.TIED, Outcome.NO_QUORUM)
    if outcome is Outcome.ADOPTED:
        assert len(unbeaten(result, options)) == 1


@given(approvals(), st.booleans())
def test_no_tied_approval_is_ever_reported_adopted(election, quorum_reached):
    options, ballots = election
    counts = [sum(option in ballot for ballot in ballots) for option in options]
    outcome = choice_outcome(count_approval(ballots, options).winners, quorum_reached)
    if counts.count(max(counts)) > 1:
        assert outcome is not Outcome.ADOPTED


@given(allocations(), st.booleans())
def test_no_tied_score_is_ever_reported_adopted(election, quorum_reached):
    options, ballots = election
    points = [sum(ballot.get(option, 0) for ballot in ballots) for option in options]
    result = score_split(ballots, options, 0)
    outcome = choice_outcome(result.winners, quorum_reached)
    if points.count(max(points)) > 1:
        assert outcome is not Outcome.ADOPTED


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.sampled_from(Threshold))
def test_no_tied_yes_no_vote_is_ever_reported_adopted(yes, no, abstain, threshold):
    outcome = count_yes_no(yes, no, abstain, yes + no + abstain, Fraction(0), threshold).outcome
    if yes == no:
        assert outcome is not Outcome.ADOPTED
