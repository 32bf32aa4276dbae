"""Secret ballots: the roll of who voted, the box of what, its hash chain and published box.

The roll and the box share no link and no timestamp: the roll says who voted, the box holds
anonymous ballots, each chained to the one before (`commun.lib.chain`), so that anyone
holding the published box can check nothing was changed, removed or reordered. The box's
methods are mixed into `Round` (`models.py`), which locks the round before appending.
"""

import base64
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.lib.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from commun.lib.chain import GENESIS_HASH, first_break, link_hash, next_link
from commun.members.models import Member


def ballot_hash(round_id: int, sequence: int, receipt: str, content, previous_hash: str) -> str:
    return link_hash(_ballot_fields(round_id, sequence, receipt, content), previous_hash)


def _ballot_fields(round_id: int, sequence: int, receipt: str, content) -> dict:
    return {"round": round_id, "sequence": sequence, "receipt": receipt, "content": content}


def new_receipt() -> str:
    """A code the voter keeps to find their ballot in the published box: XXXX-XXXX-XXXX-XXXX."""
    code = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


class BallotBox:
    """A round's secret ballot box: voting, sealing the roll, checking and publishing the chain.

    Mixed into `Round`, whose `ballots` and `roll` are the box and the roll.
    """

    def cast_secret_ballot(self, member, content, now=None) -> str:
        """Vote once, secretly: the roll says who voted, the box holds what; returns the receipt.

        For a yes / no vote `content` is "yes", "no" or "abstain"; otherwise it is the ballot
        (approved option ids, a ranking, or points per option).
        """
        # Imported here: models.py imports this module, and the rules read the models.
        from commun.decisions import rules
        from commun.decisions.models import Stance

        now = now or timezone.now()
        with transaction.atomic():
            # Exclusive: ballots are appended one at a time, so the chain never forks.
            round = self._locked_for_voting()
            decision = round.decision
            if not decision.is_secret:
                raise ValidationError(_("Ce vote n'est pas secret : prenez position normalement."))
            round._check_open(decision, now)
            member = rules.require(member, "take_stance", decision)
            if decision.kind == decision.Kind.YES_NO:
                choice, ballot = decision.clean_stance(content, "", None)
                stored = {"choice": choice}
            else:
                choice, ballot = decision.clean_stance(Stance.Choice.BALLOT, "", content)
                stored = {"ballot": ballot}
            if decision.weighted_by_college:
                # Colleges are counted apart, as separate ballot boxes would be.
                stored["college"] = decision.eligible.filter(member=member).values_list(
                    "college_id", flat=True
                )[0]
            try:
                with transaction.atomic():
                    VoterRoll.objects.create(round=round, member=member)
            except IntegrityError:
                raise ValidationError(
                    _("Vous avez déjà voté : dans un scrutin secret, un vote ne se change pas.")
                ) from None
            last = round.ballots.order_by("-sequence").values_list("sequence", "hash").first()
            sequence, previous_hash = next_link(last)
            receipt = new_receipt()
            Ballot.objects.create(
                round=round,
                sequence=sequence,
                receipt=receipt,
                content=stored,
                previous_hash=previous_hash,
                hash=ballot_hash(round.pk, sequence, receipt, stored, previous_hash),
            )
        return receipt

    def _rewrite_roll(self) -> None:
        """At the close, write the roll again in member order, under new random ids.

        While the vote runs, the roll's storage order (SQLite's rowid, PostgreSQL's ctid and
        xmin) follows the order of the votes, like the box's sequence: rewritten, it no
        longer does, and nothing stored joins a voter to a ballot.
        """
        members = list(
            VoterRoll.objects.filter(round=self)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )
        VoterRoll.objects.filter(round=self).delete()
        VoterRoll.objects.bulk_create(
            VoterRoll(round=self, member_id=member_id) for member_id in members
        )

    def verify_chain(self) -> tuple[bool, int | None]:
        """Recompute the box's chain: (True, None), or (False, the first sequence that is wrong)."""
        return first_break(
            (
                b.sequence,
                b.previous_hash,
                b.hash,
                _ballot_fields(self.pk, b.sequence, b.receipt, b.content),
            )
            for b in self.ballots.order_by("sequence").iterator()
        )

    @property
    def head_hash(self) -> str:
        return (
            self.ballots.order_by("-sequence").values_list("hash", flat=True).first()
            or GENESIS_HASH
        )

    def published_box(self) -> dict:
        """The ballot box anyone may check; contents only once the vote is closed."""
        closed = self.decision.ballots_unsealed
        ballots = [
            {
                "sequence": sequence,
                "receipt": receipt,
                "content": content if closed else None,
                "previous_hash": previous_hash,
                "hash": hash,
            }
            for sequence, receipt, content, previous_hash, hash in self.ballots.order_by(
                "sequence"
            ).values_list("sequence", "receipt", "content", "previous_hash", "hash")
        ]
        return {
            "decision": self.decision_id,
            "round": self.pk,
            "genesis": GENESIS_HASH,
            "head": ballots[-1]["hash"] if ballots else GENESIS_HASH,
            "count": len(ballots),
            "closed": closed,
            "ballots": ballots,
        }


class VoterRoll(models.Model):
    """Secret ballot: who voted. No link and no timestamp shared with the ballot box."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey("decisions.Round", on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="votes_once_in_secret")
        ]

    def __str__(self):
        return str(self.member)


class Ballot(AppendOnlyModel):
    """Secret ballot: the box, an append-only hash chain of anonymous ballots."""

    append_only_refusal = "A cast ballot is never changed nor removed."

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey("decisions.Round", on_delete=models.CASCADE, related_name="ballots")
    sequence = models.PositiveIntegerField()
    receipt = models.CharField(max_length=32, unique=True)
    content = models.JSONField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["round", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["round", "sequence"], name="ballot_sequence_once")
        ]

    def __str__(self):
        return f"n°{self.sequence} {self.receipt}"
