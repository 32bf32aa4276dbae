"""The demo cooperative's coming extraordinary assembly, convened, with its members' answers.

Called by `commun demo` after the board; everything goes through the model methods
(`prepare`, `add_item`, `convene`, `answer`), convened a week ago under the demo's clock so
the notice period holds, and the assembly sits in three weeks. Idempotent.

Before it, the annual assembly of 13 June 2026, held and closed with its minutes frozen:
its resolution n°2 approved the 2025 accounts. The ledger's demo has already closed 2025
under that resolution's name, so the resolution carries no effect: a year is never closed
twice.
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


ANNUAL_TITLE = "Assemblée générale ordinaire annuelle 2026"
ANNUAL_AT = datetime.datetime(2026, 6, 13, 14, 0)
ANNUAL_ITEMS = [
    (
        AgendaItem.Kind.INFORMATION,
        "Rapport de gestion 2025",
        "Les responsables présentent l'année : les missions menées, les nouveaux·elles "
        "associé·es, la trésorerie.",
    ),
    (
        AgendaItem.Kind.RESOLUTION,
        "Approbation des comptes 2025 et affectation du résultat",
        "L'assemblée approuve les comptes de l'exercice 2025 tels que la page « Comptes » "
        "les publie, et affecte le résultat comme les statuts le proposent : la part de la "
        "réserve légale, la part du fonds pour les communs amont, le reste à la réserve "
        "disponible pour les missions.",
    ),
]


def is_loaded() -> bool:
    return Assembly.objects.filter(title=TITLE).exists()


def hold_the_annual_assembly(officer: Member, secretary: Member) -> Assembly | None:
    """Last June's annual assembly, replayed through the model methods under its own
    clock: convened, held, both resolutions adopted, closed, its minutes frozen."""
    starts_at = timezone.make_aware(ANNUAL_AT)
    if Assembly.objects.filter(title=ANNUAL_TITLE).exists() or starts_at > timezone.now():
        return None
    with clock(starts_at - datetime.timedelta(days=25)):
        assembly = Assembly.prepare(
            officer,
            kind=Kind.ORDINARY,
            title=ANNUAL_TITLE,
            starts_at=starts_at,
            place="Maison des associations, salle 2",
        )
        for kind, title, text in ANNUAL_ITEMS:
            assembly.add_item(officer, kind, title, text)
        assembly.convene(officer)
    convened = list(assembly.participants.select_related("member").order_by("member__number"))
    present = [p for p in convened if p.member_id in (officer.pk, secretary.pk)]
    present += [p for p in convened if p not in present][: max(2, len(convened) // 2)]
    moment = starts_at
    with clock(moment):
        assembly.open(officer, chair=officer, secretary=secretary)
        for participant in present:
            participant.check_in(participant.member)
        for item in assembly.items.filter(kind=AgendaItem.Kind.RESOLUTION):
            assembly.open_resolution(officer, item)
            for number, participant in enumerate(present):
                item.vote(participant.member, "abstain" if number == 2 else "yes")
            item.close_vote(officer)
        assembly.record_incident(
            secretary,
            "Coupure du vidéoprojecteur pendant le rapport de gestion ; la séance reprend dix "
            "minutes plus tard.",
        )
    with clock(moment + datetime.timedelta(hours=2)):
        assembly.close_session(officer)
    with clock(moment + datetime.timedelta(days=3)):
        assembly.confirm_minutes(officer)
        assembly.confirm_minutes(secretary)
    return assembly


def load(stdout=None) -> None:
    """Convene the demo's assembly and record its members' answers (once)."""
    officers = list(Member.objects.active().filter(is_officer=True).order_by("number"))
    if is_loaded() or not officers:
        return
    with transaction.atomic():
        secretary = Member.objects.active().exclude(pk=officers[0].pk).order_by("number").first()
        if secretary is not None:
            hold_the_annual_assembly(officers[0], secretary)
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
