"""Votes cast outside the room's show of hands: advance votes on each resolution, sent
before the day by members who answered « vote par correspondance ou en ligne »; and the
secret ballot box of a resolution voted in secret.

The secret box works as decisions' secret ballots do (`commun/decisions/ballots.py`): the
roll says whose voice was cast, the box holds anonymous ballots chained by their hashes;
they share no link, no timestamp, and the roll is written again in member order under new
random ids when the vote closes, so nothing stored joins a voter to a choice.

Imported by `models.py`, so its models are the assemblies app's like any other.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.assemblies import advance
from commun.assemblies.models import AgendaItem, Assembly, Participant, Vote, rules
from commun.decisions.ballots import new_receipt
from commun.lib.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from commun.lib.chain import first_break, link_hash, next_link
from commun.members.models import College

VOTED_ALREADY = _(
    "Cette voix a déjà été donnée : dans un vote à bulletin secret, un vote ne se change pas."
)


class AdvanceVote(models.Model):
    """One member's vote on one resolution, sent before the day (postal or online).

    It counts at the resolution's close as a present member's vote would, as long as the
    member still counts as voting in advance: one who signs the attendance sheet votes in
    the room instead, and this vote lapses.
    """

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="advance_votes")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="advance_votes"
    )
    choice = models.CharField(_("vote"), max_length=10, choices=Vote.Choice)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote avant la séance")
        verbose_name_plural = _("votes avant la séance")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "participant"], name="one_advance_vote_per_resolution"
            ),
            models.CheckConstraint(
                condition=Q(choice__in=["yes", "no", "abstain"]),
                name="advance_vote_choice_known",
            ),
        ]

    def __str__(self):
        return f"{self.participant} — {self.item}: {self.choice}"

    @classmethod
    def cast(cls, by, item: AgendaItem, choice: str, now=None) -> "AdvanceVote":
        """Vote in advance on one resolution; voting again replaces it, until the opening."""
        now = now or timezone.now()
        with transaction.atomic():
            # Locked like an answer and the opening: no advance vote lands once it has opened.
            assembly = Assembly.objects.select_for_update().get(pk=item.assembly_id)
            member = rules().require(by, "vote_in_advance", assembly)
            if choice not in Vote.Choice.values:
                raise ValidationError({"choice": _("Choisissez pour, contre ou abstention.")})
            if item.kind != AgendaItem.Kind.RESOLUTION:
                raise ValidationError(_("Seule une résolution se vote."))
            vote, _created = cls.objects.update_or_create(
                item=item,
                participant=assembly.participant(member),
                defaults={"choice": choice, "cast_at": now},
            )
        return vote

    @classmethod
    def of(cls, assembly: Assembly, member) -> dict[int, str]:
        """The choices `member` sent in advance, by resolution id."""
        participant = assembly.participant(member)
        if participant is None:
            return {}
        return dict(participant.advance_votes.values_list("item_id", "choice"))


def counted_advance_votes(item: AgendaItem, voices: dict) -> list[tuple[Participant, str]]:
    """The advance votes on `item` that count: their member still counts as voting in
    advance on the day (`Assembly.voices`), so never alongside a vote in the room. They
    answered the convened text: on an amendment, or a resolution an amendment changed,
    none counts."""
    if item.amends_id is not None or item.amended_text:
        return []
    rows = item.advance_votes.order_by("pk").values_list("participant_id", "choice")
    return advance.counted(item.assembly, rows, voices)


# The secret ballot box ---------------------------------------------------------------------


class SecretRoll(models.Model):
    """Whose voices were cast in a secret vote: no choice, no timestamp, no link to the box."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="secret_roll")
    principal = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("émargement d'un vote secret")
        verbose_name_plural = _("émargements des votes secrets")
        constraints = [
            models.UniqueConstraint(fields=["item", "principal"], name="one_secret_voice_each")
        ]

    def __str__(self):
        return f"{self.principal} — {self.item}"


class SecretBallot(AppendOnlyModel):
    """A secret vote's box: anonymous ballots (a choice, in a college), hash-chained."""

    append_only_refusal = "A cast ballot is never changed nor removed."

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="secret_ballots")
    sequence = models.PositiveIntegerField()
    receipt = models.CharField(max_length=32, unique=True)
    # Colleges are counted apart, as separate boxes would be: the weighted result needs it.
    college = models.ForeignKey(College, on_delete=models.PROTECT, null=True, blank=True)
    choice = models.CharField(_("vote"), max_length=10, choices=Vote.Choice)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin secret d'assemblée")
        verbose_name_plural = _("bulletins secrets d'assemblée")
        ordering = ["item", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "sequence"], name="assembly_ballot_sequence_once"
            ),
            models.CheckConstraint(
                condition=Q(choice__in=["yes", "no", "abstain"]),
                name="secret_ballot_choice_known",
            ),
        ]

    def __str__(self):
        return f"n°{self.sequence} {self.receipt}"

    def fields(self) -> dict:
        return ballot_fields(
            self.item_id, self.sequence, self.receipt, self.college_id, self.choice
        )


def ballot_fields(item_id, sequence, receipt, college_id, choice) -> dict:
    return {
        "item": item_id,
        "sequence": sequence,
        "receipt": receipt,
        "college": college_id,
        "choice": choice,
    }


def put_in_the_box(item: AgendaItem, principal: Participant, choice: str) -> SecretBallot:
    """Sign `principal` on the roll and drop an anonymous ballot in the box, once.

    The caller holds the item's row lock: ballots are appended one at a time, so the chain
    never forks, and the roll's unique constraint refuses a second voice for anyone.
    """
    sign_the_roll(item, principal)
    last = item.secret_ballots.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, previous_hash = next_link(last)
    receipt = new_receipt()
    return SecretBallot.objects.create(
        item=item,
        sequence=sequence,
        receipt=receipt,
        college_id=principal.college_id,
        choice=choice,
        previous_hash=previous_hash,
        hash=link_hash(
            ballot_fields(item.pk, sequence, receipt, principal.college_id, choice),
            previous_hash,
        ),
    )


def sign_the_roll(item: AgendaItem, principal: Participant) -> None:
    """Put `principal` on the secret vote's roll, or refuse a second voice."""
    try:
        with transaction.atomic():
            SecretRoll.objects.create(item=item, principal_id=principal.pk)
    except IntegrityError:
        raise ValidationError(VOTED_ALREADY) from None


def box_advance_votes(item: AgendaItem, voices: dict) -> None:
    """When a secret vote opens, the advance votes that count go into the box in a random
    order, and every advance vote row on the resolution is deleted: from then on, nothing
    says what a member sent."""
    counted = counted_advance_votes(item, voices)
    advance.into_the_box(item, counted, put_in_the_box, item.advance_votes.all())


def secret_tallies(item: AgendaItem) -> dict[int | None, dict[str, int]]:
    """Each college's count of each choice in the box."""
    counts: dict[int | None, dict[str, int]] = {}
    rows = item.secret_ballots.values("college_id", "choice").annotate(n=Count("id"))
    for row in rows.order_by():
        counts.setdefault(row["college_id"], {})[row["choice"]] = row["n"]
    return counts


def rewrite_roll(item: AgendaItem) -> None:
    """At the close, write the roll again in member order under new random ids: its storage
    order no longer follows the order of the votes, as the box's sequence does."""
    principals = list(
        SecretRoll.objects.filter(item=item)
        .order_by("principal__member_id")
        .values_list("principal_id", flat=True)
    )
    SecretRoll.objects.filter(item=item).delete()
    SecretRoll.objects.bulk_create(
        SecretRoll(item=item, principal_id=principal) for principal in principals
    )


def verify_box(item: AgendaItem) -> tuple[bool, int | None]:
    """Recompute the box's chain: (True, None), or (False, the first sequence that is wrong)."""
    return first_break(
        (b.sequence, b.previous_hash, b.hash, b.fields())
        for b in item.secret_ballots.order_by("sequence").iterator()
    )
