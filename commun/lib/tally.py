"""Counting votes: yes/no, approval, Schulze ranked choice, score split, weighted colleges.

Pure functions over plain values (no database, no Django), exact arithmetic only (int and
Fraction): a decision never hangs on a float rounding. Options are any hashable values;
the `options` sequence given by the caller fixes their order, and that order is the only
tie-break these functions ever apply (and only where said so): otherwise ties are returned
as ties, for the decision's own rule to settle.
"""

import enum
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


class TallyError(ValueError):
    """Input a count cannot accept; `detail` holds the values a form needs to explain it."""

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.detail = detail


class Threshold(enum.Enum):
    """Share of the expressed votes (yes + no, abstentions left out) that yes must reach."""

    SIMPLE_MAJORITY = "simple_majority"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"

    def met_by(self, yes_share: Fraction | None) -> bool:
        """Whether a yes share among yes + no meets this threshold (None: nobody expressed)."""
        if yes_share is None:
            return False
        match self:
            case Threshold.SIMPLE_MAJORITY:
                return yes_share > Fraction(1, 2)  # a tie is not a majority
            case Threshold.TWO_THIRDS:
                return yes_share >= Fraction(2, 3)
            case Threshold.THREE_QUARTERS:
                return yes_share >= Fraction(3, 4)


class Outcome(enum.Enum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    TIED = "tied"  # nothing chosen: the decision's own tie rule says what happens next
    NO_QUORUM = "no_quorum"


def choice_outcome(winners: Collection, quorum_reached: bool) -> Outcome:
    """A vote among options: one winner adopts it, several are a tie, none chose nothing."""
    if not quorum_reached or not winners:
        return Outcome.NO_QUORUM
    return Outcome.TIED if len(winners) > 1 else Outcome.ADOPTED


def _options[T: Hashable](options: Iterable[T]) -> tuple[T, ...]:
    options = tuple(options)
    if len(set(options)) != len(options):
        raise TallyError("an option is listed twice", options=options)
    return options


def _check_known[T](option: T, known: Collection[T]) -> None:
    if option not in known:
        raise TallyError(f"unknown option {option!r}", option=option)


# Yes / no / abstain


@dataclass(frozen=True)
class YesNoResult:
    yes: int
    no: int
    abstain: int
    eligible: int
    participation: Fraction  # (yes + no + abstain) / eligible; 0 when nobody is eligible
    yes_share: Fraction | None  # yes / (yes + no); None when nobody said yes or no
    quorum_reached: bool
    outcome: Outcome

    @property
    def adopted(self) -> bool:
        return self.outcome is Outcome.ADOPTED


def count_yes_no(
    yes: int, no: int, abstain: int, eligible: int, quorum: Fraction, threshold: Threshold
) -> YesNoResult:
    """Quorum: share of the eligible who took part (abstaining counts); then the threshold.

    As many yes as no under a simple majority is a tie, neither adopted nor rejected: the
    decision's tie rule settles it (a chair's casting vote, a new round…). Edge cases:
    nobody eligible → no quorum; zero voters → no quorum unless the quorum is 0, and then
    rejected; everyone abstains → quorum may be reached, but rejected.
    """
    if min(yes, no, abstain, eligible) < 0:
        raise TallyError("counts cannot be negative")
    if yes + no + abstain > eligible:
        raise TallyError("more votes than eligible voters", eligible=eligible)
    if not 0 <= quorum <= 1:
        raise TallyError("the quorum is a share between 0 and 1", quorum=quorum)
    voters = yes + no + abstain
    participation = Fraction(voters, eligible) if eligible else Fraction(0)
    yes_share = Fraction(yes, yes + no) if yes + no else None
    quorum_reached = eligible > 0 and participation >= quorum
    if not quorum_reached:
        outcome = Outcome.NO_QUORUM
    elif threshold.met_by(yes_share):
        outcome = Outcome.ADOPTED
    elif threshold is Threshold.SIMPLE_MAJORITY and yes_share == Fraction(1, 2):
        outcome = Outcome.TIED
    else:
        outcome = Outcome.REJECTED
    return YesNoResult(
        yes, no, abstain, eligible, participation, yes_share, quorum_reached, outcome
    )


# Approval


@dataclass(frozen=True)
class ApprovalResult[T]:
    counts: dict[T, int]  # in the order of the options
    winners: tuple[T, ...]  # every option with the most approvals; empty if none has any
    ballots: int


def count_approval[T: Hashable](
    ballots: Iterable[Collection[T]], options: Sequence[T]
) -> ApprovalResult[T]:
    """Each ballot approves a set of options; most approvals wins, ties are all returned."""
    options = _options(options)
    counts = dict.fromkeys(options, 0)
    number = 0
    for ballot in ballots:
        number += 1
        for option in set(ballot):  # approving twice on one ballot is approving once
            _check_known(option, counts)
            counts[option] += 1
    best = max(counts.values(), default=0)
    winners = tuple(o for o in options if best and counts[o] == best)
    return ApprovalResult(counts, winners, number)


# Schulze ranked choice

type Ranking[T] = Sequence[Collection[T]]  # groups, most preferred first; ties inside a group


@dataclass(frozen=True)
class Weighted[T]:
    """`count` identical ballots, as in published examples ("5 voters: A > C > B > E > D")."""

    count: int
    ranking: Ranking[T]


@dataclass(frozen=True)
class SchulzeResult[T]:
    d: dict[T, dict[T, int]]  # d[x][y]: voters who prefer x to y
    p: dict[T, dict[T, int]]  # p[x][y]: strength of the strongest path from x to y
    winners: tuple[T, ...]
    ranking: tuple[tuple[T, ...], ...]  # groups best first; options tied in a group


def schulze[T: Hashable](
    ballots: Iterable[Ranking[T] | Weighted[T]], options: Sequence[T]
) -> SchulzeResult[T]:
    """Schulze method, winning votes: strongest paths by Floyd–Warshall (widest path).

    Options left off a ballot are ranked last on it, tied together. Winners are the
    options x with p[x][y] >= p[y][x] for every y; several winners are a tie, not broken.
    """
    options = _options(options)
    d = {x: dict.fromkeys(options, 0) for x in options}
    for ballot in ballots:
        count, ranking = (
            (ballot.count, ballot.ranking) if isinstance(ballot, Weighted) else (1, ballot)
        )
        if count < 1:
            raise TallyError("a ballot's weight must be positive", count=count)
        rank: dict[T, int] = {}
        for level, group in enumerate(ranking):
            for option in group:
                _check_known(option, d)
                if option in rank:
                    raise TallyError(f"{option!r} is ranked twice on a ballot", option=option)
                rank[option] = level
        last = len(ranking)
        for x in options:
            for y in options:
                if rank.get(x, last) < rank.get(y, last):
                    d[x][y] += count
    # Winning votes: a defeat's strength is its number of supporters, and a tie is no link.
    p = {x: {y: d[x][y] if d[x][y] > d[y][x] else 0 for y in options} for x in options}
    for i in options:
        for j in options:
            if j == i:
                continue
            for k in options:
                if k not in (i, j):
                    p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    # "p[x][y] > p[y][x]" is a strict partial order (Schulze 2011, §4.1): peel off its
    # maximal elements, group by group.
    ranking: list[tuple[T, ...]] = []
    left = list(options)
    while left:
        group = tuple(x for x in left if all(p[x][y] >= p[y][x] for y in left))
        ranking.append(group)
        left = [x for x in left if x not in group]
    return SchulzeResult(d, p, ranking[0] if ranking else (), tuple(ranking))


# Score / dot allocation and proportional split


@dataclass(frozen=True)
class ScoreSplitResult[T]:
    points: dict[T, int]
    total_points: int
    shares: dict[T, Fraction]  # points / total_points; all 0 when nobody gave a point
    cents: dict[T, int] | None  # sums to total_cents; None when nobody gave a point

    @property
    def winners(self) -> tuple[T, ...]:
        """Every option with the most points; empty when nobody gave a point."""
        best = max(self.points.values(), default=0)
        return tuple(o for o, given in self.points.items() if best and given == best)


def score_split[T: Hashable](
    allocations: Iterable[Mapping[T, int]],
    options: Sequence[T],
    total_cents: int,
    *,
    budget: int | None = None,
) -> ScoreSplitResult[T]:
    """Each voter spreads points (at most `budget`) over options; cents split in proportion.

    Largest remainder method: each option gets the floor of its exact share, then the cents
    left go one by one to the largest remainders, equal remainders in option order.
    """
    options = _options(options)
    if total_cents < 0:
        raise TallyError("the amount to split cannot be negative", total_cents=total_cents)
    points = dict.fromkeys(options, 0)
    for voter, allocation in enumerate(allocations):
        spent = 0
        for option, given in allocation.items():
            _check_known(option, points)
            if not isinstance(given, int) or isinstance(given, bool):
                raise TallyError("points are whole numbers", option=option, points=given)
            if given < 0:
                raise TallyError(
                    f"negative points for {option!r}", option=option, points=given, voter=voter
                )
            points[option] += given
            spent += given
        if budget is not None and spent > budget:
            raise TallyError(
                f"a voter gave {spent} points out of {budget}",
                voter=voter,
                spent=spent,
                budget=budget,
            )
    total = sum(points.values())
    if not total:
        return ScoreSplitResult(points, 0, dict.fromkeys(options, Fraction(0)), None)
    shares = {o: Fraction(points[o], total) for o in options}
    cents = {o: total_cents * points[o] // total for o in options}
    remainders = {o: total_cents * points[o] % total for o in options}
    by_remainder = sorted(options, key=lambda o: -remainders[o])  # stable: option order
    for option in by_remainder[: total_cents - sum(cents.values())]:
        cents[option] += 1
    return ScoreSplitResult(points, total, shares, cents)


# Colleges weighted


@dataclass(frozen=True)
class CollegeWeightedResult[C]:
    weights: dict[C, Fraction]  # renormalised weights of the colleges that expressed a vote
    yes_share: Fraction | None  # None when no college expressed a vote
    adopted: bool


def weighted_by_college[C: Hashable](
    results_per_college: Mapping[C, Fraction | None],
    weights: Mapping[C, int],
    threshold: Threshold,
) -> CollegeWeightedResult[C]:
    """Weighted mean of each college's yes share among its yes + no, against the threshold.

    A college where nobody said yes or no (share None, or absent) is left out and the other
    colleges' weights are scaled up to make 100 %: silence in one college neither helps nor
    blocks; quorum is the caller's to check beforehand.
    """
    if any(w < 0 for w in weights.values()) or sum(weights.values()) != 100:
        raise TallyError("college weights are percents summing to 100", weights=dict(weights))
    for college, share in results_per_college.items():
        if college not in weights:
            raise TallyError(f"unknown college {college!r}", college=college)
        if share is not None and not 0 <= share <= 1:
            raise TallyError("a yes share is between 0 and 1", college=college, share=share)
    present = {c: w for c, w in weights.items() if w and results_per_college.get(c) is not None}
    total = sum(present.values())
    if not total:
        return CollegeWeightedResult({}, None, False)
    used = {c: Fraction(w, total) for c, w in present.items()}
    share = sum((used[c] * Fraction(results_per_college[c]) for c in used), Fraction(0))
    return CollegeWeightedResult(used, share, threshold.met_by(share))
