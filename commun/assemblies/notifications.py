"""The emails of an assembly: the convocation, to every member convened."""

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
    participants = assembly.participants.select_related("member__user").order_by("pk")
    sent = 0
    for participant in participants.iterator(chunk_size=BATCH):
        member = participant.member
        notify(
            [member.user.email],
            "assemblies/emails/convocation.txt",
            {
                "assembly": assembly,
                "items": items,
                "documents": documents,
                "member": member,
                "url": url,
            },
            member.language or "fr",
        )
        sent += 1
    return sent
