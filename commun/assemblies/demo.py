"""The demo cooperative's coming extraordinary assembly, convened, with its members' answers.

Called by `commun demo` after the board; everything goes through the model methods
(`prepare`, `add_item`, `convene`, `answer`), convened a week ago under the demo's clock so
the notice period holds, and the assembly sits in three weeks. Idempotent. Last year's
annual assembly and its minutes wait for the minutes to be built (docs/assemblies.md).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from commun.assemblies.models import AgendaItem, Assembly, Kind, Participant
from commun.deliberation.demo import clock
from commun.members.models import Member

TITLE = "Assemblée générale extraordinaire : nos statuts et le collège des partenaires"

RESOLUTIONS = [
    (
        "Porter le délai de convocation à 21 jours",
        "L'article 14 des statuts fixe le délai de convocation des assemblées à quinze "
        "jours. L'assemblée le porte à **21 jours**, pour laisser à chacun·e le temps de "
        "lire les documents et de donner un pouvoir.",
    ),
    (
        "Créer un collège des partenaires",
        "Les partenaires (collectivités, associations voisines) votent aujourd'hui avec les "
        "usager·es. L'assemblée crée un collège des partenaires pesant **10 %** des voix, "
        "pris sur celui des usager·es.",
    ),
]


def is_loaded() -> bool:
    return Assembly.objects.filter(title=TITLE).exists()


def load(stdout=None) -> None:
    """Convene the demo's assembly and record its members' answers (once)."""
    officers = list(Member.objects.active().filter(is_officer=True).order_by("number"))
    if is_loaded() or not officers:
        return
    with transaction.atomic():
        _load(officers[0])
    if stdout is not None:
        stdout.write(f"Assemblées : {Assembly.objects.count()}.\n")


def _load(officer: Member) -> None:
    now = timezone.now()
    sits_at = timezone.localtime(now + datetime.timedelta(days=21)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    with clock(now - datetime.timedelta(days=7)):
        assembly = Assembly.prepare(
            officer,
            kind=Kind.EXTRAORDINARY,
            title=TITLE,
            starts_at=sits_at,
            place="Maison des associations, salle 2",
            video_link="https://visio.example.org/assemblee",
        )
        for title, text in RESOLUTIONS:
            assembly.add_item(officer, AgendaItem.Kind.RESOLUTION, title, text)
        assembly.add_item(
            officer,
            AgendaItem.Kind.INFORMATION,
            "Point sur la trésorerie prévue",
            "Les douze prochains mois de la banque, tels que la page « Trésorerie » les montre.",
        )
        assembly.convene(officer)
    _answer(assembly, officer, now)


def _answer(assembly: Assembly, officer: Member, now: datetime.datetime) -> None:
    """About half the members answer: most come, some from afar, a few give a proxy."""
    convened = list(assembly.participants.select_related("member").order_by("member__number"))
    others = [p for p in convened if p.member_id != officer.pk]
    holders = others[:3]
    with clock(now - datetime.timedelta(days=2)):
        assembly.participant(officer).answer(officer, Participant.Mode.PRESENT)
        for participant in holders:
            participant.answer(participant.member, Participant.Mode.PRESENT)
        for participant in others[3:6]:
            participant.answer(participant.member, Participant.Mode.REMOTE)
        # One proxy each: the statutes' default limit.
        for principal, holder in zip(others[6:9], holders, strict=False):
            principal.answer(principal.member, Participant.Mode.PROXY, holder.member)
        for participant in others[9:10]:
            participant.answer(participant.member, Participant.Mode.CHAIR)
