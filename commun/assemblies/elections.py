"""Elections of officers at an assembly: an agenda item of kind « élection » with its
candidates (members), the seats to fill and the method, voted by secret ballot unless the
officers put it on the agenda as a public election (then each voice's vote is recorded by
name, like a public resolution's, and the roll is kept with the result).

- Majority (« scrutin majoritaire »): each ballot names up to `seats` candidates; elected,
  by order of votes, those named on more than half of the ballots cast, up to the seats.
- Approval (« vote par approbation »): each ballot names any number of candidates; elected,
  the `seats` most approved.

A ballot naming nobody is blank: not a vote cast. With weighted colleges, a candidate's
share is each college's share weighed by its percentage (a college without ballots gives
its weight to the others), as for resolutions. When candidates tie for the last seat
(or seats), none of them is elected and the result says who tied: the assembly decides how
to break it (a new round, the elder, lots), as its statutes say.
"""

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.assemblies import advance, counting
from commun.assemblies.ballots import new_receipt, sign_the_roll
from commun.assemblies.models import AgendaItem, Assembly, Participant, rules
from commun.lib.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from commun.lib.chain import link_hash, next_link
from commun.members.models import College, Member

MAX_SEATS = 50


class Method(models.TextChoices):
    MAJORITY = "majority", _("Scrutin majoritaire (plus de la moitié des bulletins)")
    APPROVAL = "approval", _("Vote par approbation (les plus approuvé·es)")


class Election(models.Model):
    """What an election item elects: how many seats, by which method."""

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="election")
    seats = models.PositiveSmallIntegerField(_("postes à pourvoir"), default=1)
    method = models.CharField(_("mode de scrutin"), max_length=10, choices=Method)

    class Meta:
        verbose_name = _("élection")
        verbose_name_plural = _("élections")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_SEATS), name="election_seats"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["majority", "approval"]), name="election_method_known"
            ),
        ]

    def __str__(self):
        return str(self.item)


class Candidate(models.Model):
    """A member standing in an election."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("candidat·e")
        verbose_name_plural = _("candidat·es")
        ordering = ["election", "member__number"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="stands_once")]

    def __str__(self):
        return str(self.member)


class ElectionBallot(AppendOnlyModel):
    """An election's secret box: anonymous ballots (the candidates named, in a college),
    hash-chained, with no link to the roll (`ballots.SecretRoll`)."""

    append_only_refusal = "A cast ballot is never changed nor removed."

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="election_ballots")
    sequence = models.PositiveIntegerField()
    receipt = models.CharField(max_length=32, unique=True)
    college = models.ForeignKey(College, on_delete=models.PROTECT, null=True, blank=True)
    # The candidates' member ids, sorted: the order they were ticked in tells nothing.
    candidates = models.JSONField(default=list)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["item", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "sequence"], name="election_ballot_sequence_once"
            )
        ]

    def __str__(self):
        return f"n°{self.sequence} {self.receipt}"

    def fields(self) -> dict:
        return election_ballot_fields(
            self.item_id, self.sequence, self.receipt, self.college_id, self.candidates
        )


def election_ballot_fields(item_id, sequence, receipt, college_id, candidates) -> dict:
    """What an election ballot's hash covers: never who cast it, nor when."""
    return {
        "item": item_id,
        "sequence": sequence,
        "receipt": receipt,
        "college": college_id,
        "candidates": candidates,
    }


class ChosenCandidates(models.Model):
    """What an election vote holds, cast in the room (`ElectionVote`) or sent before the
    day (`AdvanceElectionVote`): the candidates chosen, and when."""

    # The candidates' member ids, sorted; none is a blank vote.
    candidates = models.JSONField(default=list)
    cast_at = models.DateTimeField()

    class Meta:
        abstract = True


class ElectionVote(ChosenCandidates):
    """A public election's vote: whose voice (oneself, or a principal whose proxy the voter
    carries) chose which candidates; a later vote for the same voice replaces it until the
    close, as on a public resolution."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="election_votes")
    principal = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("vote à une élection publique")
        verbose_name_plural = _("votes aux élections publiques")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "principal"], name="one_election_vote_per_voice"
            )
        ]

    def __str__(self):
        return f"{self.principal} — {self.item}"


class AdvanceElectionVote(ChosenCandidates):
    """One member's choice in an election, sent before the day by a member who answered
    « vote par correspondance ou en ligne », as `ballots.AdvanceVote` is for a resolution:
    it counts as long as the member still votes in advance (one who signs the attendance
    sheet votes in the room instead, and this vote lapses). A secret election's advance
    votes go into its box when its vote opens, and these rows are deleted then."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="advance_election_votes"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("vote à une élection avant la séance")
        verbose_name_plural = _("votes aux élections avant la séance")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "participant"], name="one_advance_election_vote_each"
            )
        ]

    def __str__(self):
        return f"{self.participant} — {self.item}"

    @classmethod
    def cast(cls, by, item: AgendaItem, numbers, now=None) -> "AdvanceElectionVote":
        """Choose candidates (member numbers) before the day; choosing again replaces it,
        until the opening. Only among those standing now: more may join until the vote."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked like an answer and the opening: no advance vote lands once it has opened.
            assembly = Assembly.objects.select_for_update().get(pk=item.assembly_id)
            member = rules().require(by, "vote_in_advance", assembly)
            item = AgendaItem.objects.get(pk=item.pk, assembly=assembly)
            if item.kind != AgendaItem.Kind.ELECTION:
                raise ValidationError({"candidates": _("Ce point n'est pas une élection.")})
            candidates = clean_choice(item, numbers)
            vote, _created = cls.objects.update_or_create(
                item=item,
                participant=assembly.participant(member),
                defaults={"candidates": candidates, "cast_at": now},
            )
        return vote

    @classmethod
    def of(cls, assembly: Assembly, member) -> dict[int, list[int]]:
        """The candidates (member ids) `member` chose in advance, by election item id."""
        participant = assembly.participant(member)
        if participant is None:
            return {}
        sent = cls.objects.filter(participant=participant, item__assembly=assembly)
        return dict(sent.values_list("item_id", "candidates"))


def counted_advance_votes(item: AgendaItem, voices: dict) -> list[tuple[Participant, list]]:
    """The advance votes on `item` whose member still votes in advance on the day
    (`Assembly.voices`): never alongside a vote in the room."""
    rows = item.advance_election_votes.order_by("pk").values_list("participant_id", "candidates")
    return advance.counted(item.assembly, rows, voices)


def box_advance_votes(item: AgendaItem, voices: dict) -> None:
    """When a secret election's vote opens, the advance votes that count go into its box in
    a random order, and every advance vote row on it is deleted: from then on, nothing says
    what a member chose (the roll refuses them a second voice in the room)."""
    counted = counted_advance_votes(item, voices)
    advance.into_the_box(item, counted, put_in_the_box, item.advance_election_votes.all())


# Preparing -----------------------------------------------------------------------------------


def add_election(
    by, assembly: Assembly, title: str, seats: int, method: str, secret: bool = True
) -> AgendaItem:
    """Put an election on a draft's agenda (officers): by secret ballot, or public."""
    errors = {}
    if method not in Method.values:
        errors["method"] = _("Choisissez le mode de scrutin.")
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        errors["seats"] = _("Entre 1 et %(max)s postes.") % {"max": MAX_SEATS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = assembly.add_item(by, AgendaItem.Kind.ELECTION, title, secret=False)
        AgendaItem.objects.filter(pk=item.pk).update(secret=bool(secret))
        Election.objects.create(item=item, seats=seats, method=method)
    item.refresh_from_db()
    return item


def add_candidate(by, item: AgendaItem, member: Member | None) -> Candidate:
    """Add a candidate until the vote opens: officers and the chair add anyone convened (any
    member while the assembly is a draft); a member convened puts themselves forward."""
    with transaction.atomic():
        # Locked like the opening of the vote: a candidate is added before it, or refused.
        assembly = Assembly.objects.select_for_update().get(pk=item.assembly_id)
        actor = rules().require(by, "add_candidate", assembly)
        item = AgendaItem.objects.get(pk=item.pk, assembly=assembly)
        if item.kind != AgendaItem.Kind.ELECTION:
            raise ValidationError(_("Seule une élection a des candidat·es."))
        if item.status != AgendaItem.Status.PENDING:
            raise ValidationError(_("Le vote est ouvert : on n'ajoute plus de candidat·e."))
        if member is None or not member.is_active_member:
            raise ValidationError({"member": _("Seul·e un·e associé·e se porte candidat·e.")})
        if assembly.phase != Assembly.Phase.DRAFT and assembly.participant(member) is None:
            raise ValidationError(
                {"member": _("Cette personne n'est pas convoquée à cette assemblée.")}
            )
        if member.pk != actor.pk and not rules().runs_the_session(actor, assembly):
            raise ValidationError(
                {"member": _("Vous ne pouvez présenter que votre propre candidature.")}
            )
        try:
            with transaction.atomic():
                return Candidate.objects.create(election=item.election, member=member)
        except IntegrityError:
            raise ValidationError({"member": _("Cette personne est déjà candidate.")}) from None


def copy_elections(first: Assembly, second: Assembly) -> None:
    """A second convocation elects the same seats, by the same method, among the same
    candidates (who may be joined by others until its vote opens)."""
    positions = dict(second.items.values_list("position", "pk"))
    for election in Election.objects.filter(item__assembly=first).select_related("item"):
        copy = Election.objects.create(
            item_id=positions[election.item.position], seats=election.seats, method=election.method
        )
        Candidate.objects.bulk_create(
            Candidate(election=copy, member_id=member)
            for member in election.candidates.values_list("member_id", flat=True)
        )


# Voting --------------------------------------------------------------------------------------


def clean_choice(item: AgendaItem, numbers) -> list[int]:
    """The chosen candidates' member ids, sorted, from their member numbers; or why not."""
    election = item.election
    if not isinstance(numbers, list | tuple) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in numbers
    ):
        raise ValidationError({"candidates": _("Choisissez des candidat·es par leur numéro.")})
    if len(set(numbers)) != len(numbers):
        raise ValidationError({"candidates": _("Chaque candidat·e ne se choisit qu'une fois.")})
    standing = dict(election.candidates.values_list("member__number", "member_id"))
    strangers = [n for n in numbers if n not in standing]
    if strangers:
        raise ValidationError(
            {
                "candidates": _("N° %(numbers)s : pas candidat·e à cette élection.")
                % {"numbers": ", ".join(str(n) for n in strangers)}
            }
        )
    if election.method == Method.MAJORITY and len(numbers) > election.seats:
        raise ValidationError(
            {
                "candidates": _("Choisissez %(seats)s candidat·es au plus.")
                % {"seats": election.seats}
            }
        )
    return sorted(standing[n] for n in numbers)


def put_in_the_box(item: AgendaItem, principal, candidates: list[int]) -> ElectionBallot:
    """Sign `principal` on the roll and drop an anonymous ballot (the caller holds the
    item's row lock, so the chain never forks)."""
    sign_the_roll(item, principal)
    last = item.election_ballots.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, previous_hash = next_link(last)
    receipt = new_receipt()
    fields = election_ballot_fields(item.pk, sequence, receipt, principal.college_id, candidates)
    return ElectionBallot.objects.create(
        item=item,
        sequence=sequence,
        receipt=receipt,
        college_id=principal.college_id,
        candidates=candidates,
        previous_hash=previous_hash,
        hash=link_hash(fields, previous_hash),
    )


def cast(
    item: AgendaItem, whose, voter, candidates: list[int], now
) -> "ElectionBallot | ElectionVote":
    """Cast `whose` voice (by `voter`, who carries it): into the secret box once, or on a
    public election by name, a later vote replacing the earlier until the close (the caller
    holds the item's row lock)."""
    if item.secret:
        return put_in_the_box(item, whose, candidates)
    vote, _created = ElectionVote.objects.update_or_create(
        item=item,
        principal=whose,
        defaults={"voter": voter, "candidates": candidates, "cast_at": now},
    )
    return vote


# Counting ------------------------------------------------------------------------------------


def _ballots(item: AgendaItem, assembly: Assembly) -> tuple[list[tuple], int]:
    """(college, candidates, principal or None) for each ballot that counts: the secret
    box's, or a public election's votes whose voice still counts through its voter (as a
    public resolution's: a principal who signed in after all votes for themselves); and
    how many were cast before the day (none told apart in a secret box, as for a secret
    resolution: they went into it at the opening)."""
    if item.secret:
        box = item.election_ballots.values_list("college_id", "candidates")
        return [(college, candidates, None) for college, candidates in box], 0
    voices = assembly.voices()
    counted = []
    for vote in item.election_votes.order_by("pk"):
        participant, mode = voices.get(vote.principal_id, (None, None))
        if participant is None:
            continue
        in_person = vote.voter_id == vote.principal_id and mode in (
            counting.PRESENT,
            counting.REMOTE,
        )
        carried = mode == counting.PROXY and participant.holder_id == vote.voter_id
        if in_person or carried:
            counted.append((participant.college_id, vote.candidates, participant))
    advance = counted_advance_votes(item, voices)
    for participant, candidates in advance:
        counted.append((participant.college_id, candidates, participant))
    return counted, len(advance)


def _roll(ballots, people: dict[int, Member]) -> list[dict]:
    """A public election's roll, by member number: whose voice chose whom. Named only as
    each chose for the public (else by number alone): the result may be published."""
    principals = {p.member_id: p for _college, _candidates, p in ballots if p is not None}
    members = Member.objects.for_names().in_bulk(list(principals))
    chosen = {p.member_id: candidates for _college, candidates, p in ballots if p is not None}
    return [
        {
            "number": members[m].number,
            "name": members[m].public_name or "",
            "candidates": sorted(people[c].number for c in chosen[m] if c in people),
        }
        for m in sorted(members, key=lambda m: members[m].number)
    ]


@dataclass(frozen=True)
class CollegeBallots:
    """One college's ballots: how many were cast (blank ones apart) and each name's votes."""

    cast: int
    votes: Mapping[int, int]
    blank: int = 0


def shares(
    colleges: Mapping[int | None, CollegeBallots], weights: Mapping[int, int] | None
) -> dict[int, Fraction]:
    """Each candidate's share of the ballots cast: whole, or weighted by college."""
    candidates = {c for college in colleges.values() for c in college.votes}
    if not weights:
        cast = sum(college.cast for college in colleges.values())
        return {
            c: Fraction(sum(college.votes.get(c, 0) for college in colleges.values()), cast or 1)
            for c in candidates
        }
    voting = {k: college for k, college in colleges.items() if college.cast and k in weights}
    total = sum(weights[k] for k in voting)
    return {
        c: (
            sum(
                Fraction(weights[k] * college.votes.get(c, 0), college.cast)
                for k, college in voting.items()
            )
            / total
            if total
            else Fraction(0)
        )
        for c in candidates
    }


def elect(share_of: Mapping[int, Fraction], seats: int, method: str) -> tuple[list[int], list[int]]:
    """(elected, tied): the candidates elected by order of share, and those tied for the
    last seats (none of them elected)."""
    if method == Method.MAJORITY:
        share_of = {c: s for c, s in share_of.items() if s > Fraction(1, 2)}
    ranked = sorted((c for c, s in share_of.items() if s > 0), key=lambda c: -share_of[c])
    if len(ranked) <= seats:
        return ranked, []
    cutoff = share_of[ranked[seats - 1]]
    if share_of[ranked[seats]] != cutoff:
        return ranked[:seats], []
    return [c for c in ranked if share_of[c] > cutoff], [c for c in ranked if share_of[c] == cutoff]


def count(item: AgendaItem, assembly: Assembly) -> tuple[dict, bool]:
    """The election's figures to keep (per college, per candidate, weighted when the rules
    say so) and whether anyone was elected."""
    election = item.election
    ballots, advance = _ballots(item, assembly)
    per_college: dict[int | None, list] = {}
    for college, candidates, _principal in ballots:
        per_college.setdefault(college, []).append(candidates)
    colleges = {
        college: CollegeBallots(
            cast=sum(1 for b in ballots if b),
            blank=sum(1 for b in ballots if not b),
            votes=Counter(c for b in ballots for c in b),
        )
        for college, ballots in per_college.items()
    }
    weights = None
    if assembly.rules.get("weighted_by_college"):
        weights = {int(k): w for k, w in assembly.rules.get("college_weights", {}).items()}
    share_of = shares(colleges, weights)
    elected, tied = elect(share_of, election.seats, election.method)
    people = {c.member_id: c.member for c in election.candidates.select_related("member")}
    names = dict(
        College.objects.filter(pk__in=[k for k in colleges if k]).values_list("pk", "name")
    )
    result = {
        "yes": 0,
        "no": 0,
        "abstain": 0,
        "blank_proxies": 0,
        "advance_votes": advance,
        "secret": item.secret,
        "majority": None,
        "weighted_share": None,
        "colleges": [],
        "election": {
            "method": election.method,
            "seats": election.seats,
            "ballots_cast": sum(c.cast for c in colleges.values()),
            "blank_ballots": sum(c.blank for c in colleges.values()),
            "weighted": bool(weights),
            "colleges": [
                {
                    "college": k,
                    "name": names.get(k, ""),
                    "weight": (weights or {}).get(k),
                    "ballots_cast": college.cast,
                }
                for k, college in sorted(
                    colleges.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)
                )
            ],
            "candidates": [
                {
                    "number": member.number,
                    # Kept with the result, which the public may read: the public name.
                    "name": member.name_for(None),
                    "votes": sum(c.votes.get(member_id, 0) for c in colleges.values()),
                    "by_college": {str(k): c.votes.get(member_id, 0) for k, c in colleges.items()},
                    "share": str(share_of.get(member_id, Fraction(0))),
                    "elected": member_id in elected,
                    "tied": member_id in tied,
                }
                for member_id, member in sorted(
                    people.items(),
                    key=lambda kv: (-share_of.get(kv[0], Fraction(0)), kv[1].number),
                )
            ],
            "elected": [people[c].number for c in elected],
            "tied": [people[c].number for c in tied],
        },
    }
    if not item.secret:
        result["election"]["roll"] = _roll(ballots, people)
    return result, bool(elected)
