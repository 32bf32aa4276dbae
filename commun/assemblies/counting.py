"""The arithmetic of a general assembly: who counts towards the quorum, and what is adopted.

Plain functions over counts, with no database: the model methods and the pages feed them,
the tests compute the same figures by hand. Fractions stay exact (`Fraction`): two thirds
is 2/3, never 66.67 %.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

SIMPLE_MAJORITY = Fraction(1, 2)

# How a member takes part, as they answered the convocation (or checked in on the day).
PRESENT = "present"
REMOTE = "remote"
PROXY = "proxy"
ADVANCE = "advance"
CHAIR = "chair"  # a blank proxy ("pouvoir en blanc"): held by whoever chairs the assembly


@dataclass(frozen=True)
class Turnout:
    """How many of the eligible members take part, and how (one college, or the whole)."""

    eligible: int
    present: int = 0
    remote: int = 0
    represented: int = 0
    advance: int = 0

    def voices(self, advance_votes_count: bool) -> int:
        """The voices the quorum counts: advance votes only when the statutes say so."""
        counted = self.present + self.remote + self.represented
        return counted + (self.advance if advance_votes_count else 0)

    def __add__(self, other: "Turnout") -> "Turnout":
        return Turnout(
            self.eligible + other.eligible,
            self.present + other.present,
            self.remote + other.remote,
            self.represented + other.represented,
            self.advance + other.advance,
        )


def quorum_needed(eligible: int, quorum: Fraction) -> int:
    """The fewest voices that make the quorum: a fifth of 12 members is 3 (2.4 rounded up)."""
    return math.ceil(eligible * quorum)


def quorum_reached(turnout: Turnout, quorum: Fraction, advance_votes_count: bool) -> bool:
    """Whether the voices reach the quorum; with none required, one voice is enough to sit."""
    voices = turnout.voices(advance_votes_count)
    return voices >= max(quorum_needed(turnout.eligible, quorum), 1)


@dataclass(frozen=True)
class Tally:
    """One resolution's votes: abstentions and blank votes are not votes cast."""

    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no


def meets_majority(share_for: Fraction, majority: Fraction) -> bool:
    """A simple majority is more than half; a qualified one (2/3, 3/4) is at least that much."""
    if majority == SIMPLE_MAJORITY:
        return share_for > majority
    return share_for >= majority


def adopted(tally: Tally, majority: Fraction) -> bool:
    """Adopted by the votes cast, one person one voice."""
    if tally.cast == 0:
        return False
    return meets_majority(Fraction(tally.yes, tally.cast), majority)


def weighted_share_for(tallies: Mapping[int, Tally], weights: Mapping[int, int]) -> Fraction:
    """The share of the votes for, each college weighing its statutory percentage.

    Within a college, one person one voice; a college where nobody voted gives its weight
    to the others in proportion (a college can't block by staying away).
    """
    voting = {college: t for college, t in tallies.items() if t.cast}
    total_weight = sum(weights[college] for college in voting)
    if not total_weight:
        return Fraction(0)
    share = sum(Fraction(weights[c] * t.yes, t.cast) for c, t in voting.items())
    return share / total_weight


def weighted_adopted(
    tallies: Mapping[int, Tally], weights: Mapping[int, int], majority: Fraction
) -> bool:
    """Adopted by the colleges' weighted votes."""
    if not any(t.cast for t in tallies.values()):
        return False
    return meets_majority(weighted_share_for(tallies, weights), majority)


@dataclass(frozen=True)
class Answer:
    """A member's answer to the convocation: how they take part, and to whom their proxy goes."""

    member: int
    college: int | None
    mode: str
    holder: int | None = None


def counted_modes(
    answers: Iterable[Answer],
    checked_in: Iterable[int] = (),
    *,
    max_proxies: int,
    chair_sits: bool = True,
    on_the_day: bool = False,
) -> dict[int, str]:
    """How each member counts, once: PRESENT, REMOTE, PROXY (represented) or ADVANCE.

    A member checked in is there whatever they answered before (their proxy or advance vote
    lapses): remote if they said so, present otherwise. Before the day, the answers say who
    is expected; on the day (`on_the_day`), only those checked in are present or remote. A
    proxy counts when its holder takes part in person or remotely, up to the holder's limit
    in the order given; a blank proxy when the chair sits. Members who don't count are left
    out.
    """
    answers = list(answers)
    checked_in = set(checked_in)
    modes: dict[int, str] = {}
    for answer in answers:
        if answer.member in checked_in:
            modes[answer.member] = REMOTE if answer.mode == REMOTE else PRESENT
        elif answer.mode == ADVANCE or (answer.mode in (PRESENT, REMOTE) and not on_the_day):
            modes[answer.member] = answer.mode
    held: Counter[int] = Counter()
    for answer in answers:
        if answer.member in modes:
            continue
        if answer.mode == CHAIR and chair_sits:
            modes[answer.member] = PROXY
        elif (
            answer.mode == PROXY
            and modes.get(answer.holder) in (PRESENT, REMOTE)
            and held[answer.holder] < max_proxies
        ):
            held[answer.holder] += 1
            modes[answer.member] = PROXY
    return modes


def turnout_by_college(
    answers: Iterable[Answer],
    eligible_by_college: Mapping[int | None, int],
    checked_in: Iterable[int] = (),
    *,
    max_proxies: int,
    chair_sits: bool = True,
    on_the_day: bool = False,
) -> dict[int | None, Turnout]:
    """Each college's turnout (None: members of no college), from the members' answers."""
    answers = list(answers)
    modes = counted_modes(
        answers, checked_in, max_proxies=max_proxies, chair_sits=chair_sits, on_the_day=on_the_day
    )
    counts: dict[int | None, Counter] = {college: Counter() for college in eligible_by_college}
    for answer in answers:
        if answer.member in modes:
            counts.setdefault(answer.college, Counter())[modes[answer.member]] += 1
    return {
        college: Turnout(
            eligible=eligible_by_college.get(college, 0),
            present=c[PRESENT],
            remote=c[REMOTE],
            represented=c[PROXY],
            advance=c[ADVANCE],
        )
        for college, c in counts.items()
    }


def total(turnouts: Iterable[Turnout]) -> Turnout:
    """The whole assembly's turnout from its colleges'."""
    return sum(turnouts, Turnout(0))
