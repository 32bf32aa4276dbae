"""The emails of an assembly, to every member convened: the convocation, and each item
added to its agenda afterwards."""

from django.conf import settings
from django.urls import reverse

from commun.core.mail import notify

BATCH = 500


def send_convocations(assembly_id: int) -> int:
    """Queue one convocation email per participant, in each member's language."""
    from commun.assemblies.models import Assembly

    assembly = Assembly.objects.get(pk=assembly_id)
    items = list(assembly.items.all())
    documents = list(assembly.documents.all())
    url = settings.SITE_URL + reverse("assemblies:assembly", args=[assembly.pk])
    return _each_participant(
        assembly,
        "assemblies/emails/convocation.txt",
        {"assembly": assembly, "items": items, "documents": documents, "url": url},
    )


def send_added_item(item_id: int) -> int:
    """Queue one email per participant naming the item added after the convocation, with
    the link to the updated convocation, in each member's language."""
    from commun.assemblies.models import AgendaItem

    item = AgendaItem.objects.select_related("assembly", "request__member").get(pk=item_id)
    assembly = item.assembly
    url = settings.SITE_URL + reverse("assemblies:convocation", args=[assembly.pk])
    return _each_participant(
        assembly,
        "assemblies/emails/item_added.txt",
        {"assembly": assembly, "item": item, "url": url},
    )


def _each_participant(assembly, template: str, context: dict) -> int:
    """Queue `template` to every participant, in each member's language: how many."""
    participants = assembly.participants.select_related("member__user").order_by("pk")
    sent = 0
    for participant in participants.iterator(chunk_size=BATCH):
        member = participant.member
        notify([member.user.email], template, context | {"member": member}, member.language or "fr")
        sent += 1
    return sent
