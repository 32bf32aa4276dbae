"""Building assemblies in tests: a draft with its agenda, and a convened one.

Plain functions, so any test module may import them.
"""

import datetime

from django.utils import timezone

from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind

NOTICE = datetime.timedelta(days=15)


def draft(officer, kind=Kind.ORDINARY, days_ahead=20, **values) -> Assembly:
    """A draft assembly, far enough ahead for the default notice, with one resolution."""
    values = {
        "title": "Assemblée générale annuelle",
        "starts_at": timezone.now() + datetime.timedelta(days=days_ahead),
        "place": "Salle des fêtes, 1 rue des Communs",
        **values,
    }
    assembly = Assembly.prepare(officer, kind=kind, **values)
    assembly.add_item(
        officer, AgendaItem.Kind.RESOLUTION, "Approbation des comptes", "L'assemblée approuve…"
    )
    return assembly


def convened(officer, kind=Kind.ORDINARY, days_ahead=20, **rules) -> Assembly:
    """A convened assembly, under `rules` (changes to the statutes' defaults); 30
    `days_ahead` leave time for the members' requests for an item (25 days by default)."""
    if rules:
        AssemblyRules.of(kind).update(officer, **rules)
    assembly = draft(officer, kind, days_ahead)
    assembly.convene(officer)
    return assembly


def in_session(officer, chair, secretary, *present, kind=Kind.ORDINARY, items=()) -> Assembly:
    """A convened assembly with `items` [(title, text, effect)] after the default resolution,
    opened with its chair and secretary, and `present` members signed in."""
    assembly = draft(officer, kind)
    for title, text, effect in items:
        assembly.add_item(officer, AgendaItem.Kind.RESOLUTION, title, text, effect)
    assembly.convene(officer)
    assembly.open(officer, chair=chair, secretary=secretary, now=assembly.starts_at)
    for member in present:
        assembly.participants.get(member=member).check_in(member.user)
    return assembly


def vote_on(assembly: Assembly, chair, position: int, votes: dict) -> AgendaItem:
    """Open the resolution at `position`, cast {member: choice}, close it: the item closed."""
    item = assembly.items.get(position=position)
    assembly.open_resolution(chair.user, item)
    for member, choice in votes.items():
        item.vote(member.user, choice)
    item.close_vote(chair.user)
    return item


def crowd(assembly: Assembly, count: int, category) -> list:
    """`count` more members of `category`, active and convened to `assembly`, written in
    bulk (a large cooperative in seconds): their participant rows, in member number order."""
    from django.db.models import Max

    from commun.accounts.models import User
    from commun.assemblies.models import Participant
    from commun.members.models import Member

    first = (Member.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    users = User.objects.bulk_create(
        User(email=f"foule{first + i}@example.org") for i in range(count)
    )
    members = Member.objects.bulk_create(
        Member(user=user, number=first + i, category=category, status=Member.Status.ACTIVE)
        for i, user in enumerate(users)
    )
    return Participant.objects.bulk_create(
        Participant(assembly=assembly, member=member, college_id=category.college_id)
        for member in members
    )
