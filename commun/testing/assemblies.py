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


def convened(officer, kind=Kind.ORDINARY, **rules) -> Assembly:
    """A convened assembly, under `rules` (changes to the statutes' defaults)."""
    if rules:
        AssemblyRules.of(kind).update(officer, **rules)
    assembly = draft(officer, kind)
    assembly.convene(officer)
    return assembly
