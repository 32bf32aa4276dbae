"""The events a webhook may carry, and what each one says.

A payload says no more than the public pages show: a member admitted is named only if
their own choice shows their name (or pseudonym) to visitors (`Member.public_name`); a
decision is announced only when a visitor may read it. Links are absolute, on SITE_URL.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Event type → what it means (the officers' pages show it). The board's two task events are
# declared here; the board emits them through `commun.hooks.emit`.
CATALOGUE = {
    "member.admitted": _("Un·e associé·e est admis·e"),
    "decision.opened": _("Une décision publique s'ouvre"),
    "decision.closed": _("Une décision publique est close"),
    "mission.adopted": _("Une mission est adoptée et son budget engagé"),
    "transaction.recorded": _("Une écriture est enregistrée dans les comptes"),
    "task.created": _("Une tâche est créée sur le tableau"),
    "task.changed": _("Une tâche du tableau change"),
}
EVENT_TYPES = tuple(CATALOGUE)


def choices() -> list[tuple[str, str]]:
    return [(event, f"{event} — {label}") for event, label in CATALOGUE.items()]


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def member_admitted(member) -> dict:
    return {
        "number": member.number,
        # None when the member chose to show nothing to the public.
        "public_name": member.public_name or None,
        "category": member.category.name,
    }


def decision(decision) -> dict:
    return {
        "id": decision.pk,
        "title": decision.title,
        "kind": decision.kind,
        "phase": decision.phase,
        "outcome": decision.outcome or None,
        "opened_at": decision.opened_at.isoformat() if decision.opened_at else None,
        "closes_at": decision.closes_at.isoformat() if decision.closes_at else None,
        "closed_at": decision.closed_at.isoformat() if decision.closed_at else None,
        "url": absolute(decision.get_absolute_url()),
    }


def mission_adopted(mission) -> dict:
    return {
        "id": mission.pk,
        "ref": mission.ref,
        "title": mission.title,
        "committed_cents": mission.committed_cents,
        "adopted_at": mission.adopted_at.isoformat() if mission.adopted_at else None,
        "url": absolute(mission.get_absolute_url()),
    }


def task(task, change) -> dict:
    """The board's task as its public page shows it, and what just changed. No names: who
    took or moved it is shown on the page only as each member chose."""
    return {
        "id": task.pk,
        "title": task.title,
        "state": task.state,
        "need": task.need_id,
        "mission": task.mission.ref if task.mission_id else None,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "links": list(task.links or []),
        "change": {
            "kind": change.kind,
            "from": change.from_state or None,
            "to": change.to_state,
            "at": change.at.isoformat(),
        },
        "url": absolute(task.get_absolute_url()),
    }


def transaction_recorded(booked, postings) -> dict:
    from django.urls import reverse

    return {
        "number": booked.number,
        "date": booked.date.isoformat(),
        "label": str(booked.readable_label),
        "amount_cents": sum(cents for _code, cents in postings if cents > 0),
        "postings": [{"account": code, "amount_cents": cents} for code, cents in postings],
        "reverses": booked.reverses.number if booked.reverses_id else None,
        "url": absolute(reverse("ledger:transaction", args=[booked.number])),
    }
