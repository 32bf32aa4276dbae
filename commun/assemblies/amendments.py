"""Amendments from the floor: during the session a member proposes a new text for a
resolution not yet voted; the chair admits it or not; an admitted amendment is an agenda
item of its own (a resolution that `amends` another), voted before the resolution it
amends with the same majority, and when adopted its text becomes the text the resolution
is voted on (`AgendaItem.amended_text`; the convened text stays in `text`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.assemblies import counting
from commun.assemblies.minutes import of_record
from commun.assemblies.models import AgendaItem, Assembly, rules

Admission = AgendaItem.Admission


def propose(by, resolution: AgendaItem, text: str, now=None) -> AgendaItem:
    """A member who signed the attendance sheet proposes a new text for `resolution`."""
    now = now or timezone.now()
    with transaction.atomic():
        # Locked like the opening of a vote: no amendment lands on a resolution being opened.
        assembly = Assembly.objects.select_for_update().get(pk=resolution.assembly_id)
        member = rules().require(by, "propose_amendment", assembly)
        resolution = AgendaItem.objects.get(pk=resolution.pk, assembly=assembly)
        if resolution.kind != AgendaItem.Kind.RESOLUTION or resolution.amends_id is not None:
            raise ValidationError(_("On n'amende qu'une résolution de l'ordre du jour."))
        if resolution.status != AgendaItem.Status.PENDING:
            raise ValidationError(
                _("Le vote sur cette résolution a déjà été ouvert : elle ne s'amende plus.")
            )
        proposer = assembly.participant(member)
        if proposer is None or assembly.voice_of(proposer) not in (
            counting.PRESENT,
            counting.REMOTE,
        ):
            raise ValidationError(_("Émargez d'abord : seul·es les présent·es votent."))
        text = (text or "").strip()
        if not text or text == resolution.text.strip():
            raise ValidationError({"text": _("Proposez un texte différent de la résolution.")})
        position = (assembly.items.aggregate(last=Max("position"))["last"] or 0) + 1
        number = resolution.amendments.count() + 1
        with of_record():
            title = _("Amendement n° %(number)s à « %(title)s »") % {
                "number": number,
                "title": resolution.title,
            }
        amendment = AgendaItem(
            assembly=assembly,
            position=position,
            kind=AgendaItem.Kind.RESOLUTION,
            title=title,
            text=text,
            amends=resolution,
            admission=Admission.PROPOSED,
            proposed_by=proposer,
            secret=resolution.secret,
        )
        amendment.full_clean()
        amendment.save()
    return amendment


def decide(by, amendment: AgendaItem, admitted: bool) -> AgendaItem:
    """The chair (or an officer) admits a proposed amendment to the vote, or refuses it."""
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=amendment.assembly_id)
        rules().require(by, "admit_amendment", assembly)
        amendment = AgendaItem.objects.get(pk=amendment.pk, assembly=assembly)
        if amendment.admission != Admission.PROPOSED:
            raise ValidationError(_("Cet amendement n'attend pas de décision."))
        amendment.admission = Admission.ADMITTED if admitted else Admission.REFUSED
        amendment.save(update_fields=["admission"])
    return amendment


def opening_refusal(item: AgendaItem) -> str | None:
    """Why `item`'s vote can't open yet because of amendments, or None."""
    if item.admission in (Admission.PROPOSED, Admission.REFUSED):
        return _("Cet amendement n'est pas admis au vote.")
    waiting = item.amendments.exclude(admission=Admission.REFUSED).exclude(
        status=AgendaItem.Status.CLOSED
    )
    if waiting.exists():
        return _("Votez d'abord les amendements de cette résolution (ou refusez-les).")
    return None


def apply_outcome(amendment: AgendaItem) -> None:
    """At an amendment's close: adopted, its text is the one its resolution is voted on."""
    if amendment.amends_id is not None and amendment.adopted:
        AgendaItem.objects.filter(pk=amendment.amends_id).update(amended_text=amendment.text)


def under_their_resolutions(items) -> list[AgendaItem]:
    """The agenda as it is read: each resolution followed by its amendments (numbered at the
    end when proposed, in the order proposed), instead of after the items that follow it."""
    items = sorted(items, key=lambda item: item.position)
    amending = {}
    for item in items:
        if item.amends_id is not None:
            amending.setdefault(item.amends_id, []).append(item)
    ordered = []
    for item in items:
        if item.amends_id is None:
            ordered += [item, *amending.pop(item.pk, [])]
    return ordered + [item for rest in amending.values() for item in rest]
