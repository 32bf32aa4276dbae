"""The quorum and majority arithmetic, computed by hand for each kind and convocation.

SCIC defaults: ordinary 1/5 then none, simple majority; extraordinary 1/4 then 1/5, two
thirds. Colleges weigh 10 to 50 %.
"""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from commun.assemblies.counting import (
    ADVANCE,
    CHAIR,
    PRESENT,
    PROXY,
    REMOTE,
    Answer,
    Tally,
    Turnout,
    adopted,
    counted_modes,
    quorum_needed,
    quorum_reached,
    total,
    turnout_by_college,
    weighted_adopted,
    weighted_share_for,
)

FIFTH, QUARTER, NONE = Fraction(1, 5), Fraction(1, 4), Fraction(0)
SIMPLE, TWO_THIRDS = Fraction(1, 2), Fraction(2, 3)


# Quorum ------------------------------------------------------------------------------------


def test_a_fifth_of_twelve_members_is_three_voices():
    assert quorum_needed(12, FIFTH) == 3  # 2.4 rounded up
    assert quorum_needed(10, FIFTH) == 2


def test_ordinary_first_convocation_needs_a_fifth():
    # 100 members: 12 present, 3 remote, 4 represented = 19 < 20.
    turnout = Turnout(eligible=100, present=12, remote=3, represented=4)
    assert not quorum_reached(turnout, FIFTH, advance_votes_count=False)
    assert quorum_reached(Turnout(100, 12, 3, 5), FIFTH, advance_votes_count=False)


def test_ordinary_second_convocation_needs_no_quorum_but_someone():
    assert quorum_reached(Turnout(eligible=100, present=1), NONE, advance_votes_count=False)
    assert not quorum_reached(Turnout(eligible=100), NONE, advance_votes_count=False)


def test_extraordinary_first_convocation_needs_a_quarter():
    # 100 members: 20 present and 4 represented = 24 < 25; one remote more makes 25.
    assert not quorum_reached(Turnout(100, 20, 0, 4), QUARTER, advance_votes_count=False)
    assert quorum_reached(Turnout(100, 20, 1, 4), QUARTER, advance_votes_count=False)


def test_extraordinary_second_convocation_needs_a_fifth():
    assert not quorum_reached(Turnout(101, 20), FIFTH, advance_votes_count=False)  # 20.2 → 21
    assert quorum_reached(Turnout(101, 21), FIFTH, advance_votes_count=False)


def test_advance_votes_count_towards_the_quorum_only_when_the_statutes_say_so():
    turnout = Turnout(eligible=50, present=8, advance=2)
    assert not quorum_reached(turnout, FIFTH, advance_votes_count=False)  # 8 < 10
    assert quorum_reached(turnout, FIFTH, advance_votes_count=True)  # 10


def test_the_quorum_counts_heads_across_colleges():
    colleges = [Turnout(40, 5, 1, 0), Turnout(50, 2, 0, 1), Turnout(10, 1, 0, 0)]
    assert total(colleges) == Turnout(100, 8, 1, 1, 0)
    assert not quorum_reached(total(colleges), FIFTH, advance_votes_count=False)


# Majority ----------------------------------------------------------------------------------


def test_a_simple_majority_is_more_than_half_of_votes_cast():
    assert adopted(Tally(yes=11, no=10, abstain=30), SIMPLE)
    assert not adopted(Tally(yes=10, no=10), SIMPLE)  # a tie is not a majority


def test_abstentions_are_not_votes_cast():
    assert adopted(Tally(yes=2, no=1, abstain=97), SIMPLE)


def test_two_thirds_is_at_least_two_thirds_of_votes_cast():
    assert adopted(Tally(yes=20, no=10), TWO_THIRDS)  # exactly 2/3
    assert not adopted(Tally(yes=19, no=10), TWO_THIRDS)  # 65.5 %


def test_nothing_is_adopted_without_a_vote_cast():
    assert not adopted(Tally(abstain=5), SIMPLE)


def test_weighted_by_colleges_40_30_30():
    # Founders (40 %): 3 of 4 for; contributors (30 %): 1 of 5; users (30 %): 10 of 10.
    tallies = {1: Tally(3, 1), 2: Tally(1, 4), 3: Tally(10, 0)}
    weights = {1: 40, 2: 30, 3: 30}
    # 40 × 3/4 + 30 × 1/5 + 30 × 1 = 30 + 6 + 30 = 66 %.
    assert weighted_share_for(tallies, weights) == Fraction(66, 100)
    assert weighted_adopted(tallies, weights, SIMPLE)
    assert not weighted_adopted(tallies, weights, TWO_THIRDS)  # 66 % < 66.67 %


def test_a_weighted_majority_can_differ_from_the_headcount():
    # 16 for and 4 against by heads (80 %), but the 50 % college is against.
    tallies = {1: Tally(0, 4), 2: Tally(8, 0), 3: Tally(8, 0)}
    weights = {1: 50, 2: 40, 3: 10}
    assert weighted_share_for(tallies, weights) == Fraction(1, 2)
    assert not weighted_adopted(tallies, weights, SIMPLE)
    assert adopted(Tally(16, 4), SIMPLE)


def test_a_college_that_does_not_vote_gives_its_weight_to_the_others():
    tallies = {1: Tally(2, 1), 2: Tally(0, 0, abstain=3), 3: Tally(1, 1)}
    weights = {1: 50, 2: 10, 3: 40}
    # (50 × 2/3 + 40 × 1/2) / 90 = (100/3 + 20) / 90 = 160/270 = 16/27.
    assert weighted_share_for(tallies, weights) == Fraction(16, 27)


# Who counts, once --------------------------------------------------------------------------


def test_a_member_checked_in_counts_present_and_their_proxy_lapses():
    answers = [Answer(1, 10, PRESENT), Answer(2, 10, PROXY, holder=1)]
    assert counted_modes(answers, checked_in={2}, max_proxies=1) == {1: PRESENT, 2: PRESENT}


def test_an_advance_vote_then_presence_counts_once_as_present():
    answers = [Answer(1, 10, ADVANCE)]
    assert counted_modes(answers, checked_in={1}, max_proxies=1) == {1: PRESENT}


def test_a_proxy_counts_only_when_its_holder_takes_part():
    answers = [Answer(1, 10, ADVANCE), Answer(2, 10, PROXY, holder=1), Answer(3, 10, REMOTE)]
    answers.append(Answer(4, 20, PROXY, holder=3))
    assert counted_modes(answers, max_proxies=1) == {1: ADVANCE, 3: REMOTE, 4: PROXY}


def test_proxies_beyond_the_limit_are_not_counted():
    answers = [Answer(1, 10, PRESENT)] + [Answer(n, 10, PROXY, holder=1) for n in (2, 3, 4)]
    assert counted_modes(answers, max_proxies=2) == {1: PRESENT, 2: PROXY, 3: PROXY}


def test_blank_proxies_count_when_the_chair_sits():
    answers = [Answer(1, 10, CHAIR), Answer(2, 20, CHAIR)]
    assert counted_modes(answers, max_proxies=1) == {1: PROXY, 2: PROXY}
    assert counted_modes(answers, max_proxies=1, chair_sits=False) == {}


def test_a_member_who_answered_remote_and_checks_in_is_remote():
    answers = [Answer(1, 10, REMOTE), Answer(2, 10, PRESENT)]
    assert counted_modes(answers, checked_in={1, 2}, max_proxies=1) == {1: REMOTE, 2: PRESENT}


def test_on_the_day_only_those_checked_in_are_there():
    answers = [Answer(1, 10, PRESENT), Answer(2, 10, PROXY, holder=1), Answer(3, 10, ADVANCE)]
    assert counted_modes(answers, max_proxies=1, on_the_day=True) == {3: ADVANCE}
    day = counted_modes(answers, checked_in={1}, max_proxies=1, on_the_day=True)
    assert day == {1: PRESENT, 2: PROXY, 3: ADVANCE}


def test_turnout_by_college():
    answers = [
        Answer(1, 10, PRESENT),
        Answer(2, 10, PROXY, holder=1),
        Answer(3, 20, REMOTE),
        Answer(4, 20, ADVANCE),
        Answer(5, 20, ""),
    ]
    turnouts = turnout_by_college(answers, {10: 2, 20: 3}, max_proxies=1)
    assert turnouts == {10: Turnout(2, 1, 0, 1, 0), 20: Turnout(3, 0, 1, 0, 1)}


MODES = st.sampled_from([PRESENT, REMOTE, PROXY, CHAIR, ADVANCE, ""])


@st.composite
def answers_and_check_ins(draw):
    size = draw(st.integers(1, 30))
    answers = [
        Answer(
            member=n,
            college=draw(st.sampled_from([1, 2, 3])),
            mode=(mode := draw(MODES)),
            holder=draw(st.integers(0, size - 1)) if mode == PROXY else None,
        )
        for n in range(size)
    ]
    checked_in = draw(st.sets(st.integers(0, size - 1)))
    return answers, checked_in, draw(st.integers(1, 5)), draw(st.booleans())


@given(answers_and_check_ins())
def test_nobody_counts_twice_and_no_holder_carries_beyond_the_limit(case):
    answers, checked_in, limit, on_the_day = case
    modes = counted_modes(answers, checked_in, max_proxies=limit, on_the_day=on_the_day)
    # One voice each at most: the counts add up to the members who count, never more.
    eligible = {1: 0, 2: 0, 3: 0}
    for answer in answers:
        eligible[answer.college] += 1
    turnouts = turnout_by_college(
        answers, eligible, checked_in, max_proxies=limit, on_the_day=on_the_day
    )
    turnout = total(turnouts.values())
    assert turnout.voices(advance_votes_count=True) == len(modes) <= len(answers)
    # Whoever is checked in is there, never represented nor counted by an advance vote.
    assert all(modes[member] in (PRESENT, REMOTE) for member in checked_in)
    # On the day, only those checked in are there in person or remotely.
    if on_the_day:
        assert {m for m, mode in modes.items() if mode in (PRESENT, REMOTE)} == checked_in
    # A proxy counts only through a holder who takes part, within the holder's limit.
    carried: dict[int, int] = {}
    for answer in answers:
        if modes.get(answer.member) == PROXY and answer.mode == PROXY:
            assert modes.get(answer.holder) in (PRESENT, REMOTE)
            carried[answer.holder] = carried.get(answer.holder, 0) + 1
    assert all(count <= limit for count in carried.values())
