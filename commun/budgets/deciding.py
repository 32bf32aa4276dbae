"""Opening the consent decisions that adopt a mission, a top-up, or a mission's review.

A workflow across apps (budgets, deliberation, decisions), so a module of its own: the
decision lives in the cooperative's space, in a thread of its own, among the people the
budget settings name, and is open at once in its objection round (like an admission).
"""

import datetime

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commun.budgets import forecast, rules
from commun.budgets.models import MissionContributor
from commun.ledger import funds
from commun.lib.dates import date_format
from commun.lib.money import format_cents
from commun.members.models import Member

MAX_DECISION_TITLE = 200


def open_decision(mission, by, subject_kind: str, subject_id: int, title: str, body: str):
    """Propose, open and bring to its objection round a consent decision; return it."""
    from commun.budgets.models import BudgetSettings
    from commun.decisions.models import Decision

    settings = BudgetSettings.get()
    author = rules.active_member(by)
    if author is None:  # pragma: no cover - callers require a member first
        author = Member.objects.get(pk=mission.proposer_id)
    scope, colleges = Decision.Scope.COOPERATIVE, ()
    if settings.deciders == BudgetSettings.Deciders.OFFICERS:
        scope = Decision.Scope.OFFICERS
    elif settings.deciders == BudgetSettings.Deciders.COLLEGE:
        scope, colleges = Decision.Scope.COLLEGES, [settings.college]
    title = title if len(title) <= MAX_DECISION_TITLE else title[: MAX_DECISION_TITLE - 1] + "…"
    now = timezone.now()
    return Decision.objects.open_about(
        subject_kind,
        subject_id,
        author=author,
        title=title,
        body=body,
        thread_body=_("Discussion de la proposition : %(url)s")
        % {"url": mission.get_absolute_url()},
        # The proposal was written with its figures: questions go to the thread.
        straight_to_objections=True,
        now=now,
        kind=Decision.Kind.CONSENT,
        scope=scope,
        colleges=colleges,
        visibility=Decision.Visibility.PUBLIC,
        min_deliberation=datetime.timedelta(days=settings.min_deliberation_days),
        closes_at=now + datetime.timedelta(days=settings.deadline_days),
    )


def _reserve_lines(cost_cents: int) -> list[str]:
    available, after = funds.available_now_and_after(cost_cents)
    return [
        _("Réserve disponible aujourd'hui : %(available)s ; après cette mission : %(after)s.")
        % {
            "available": format_cents(available),
            "after": format_cents(after),
        },
        _(
            "L'adoption engage ce montant de la réserve ; elle est refusée si, à cet instant, "
            "la réserve disponible ne le couvre plus."
        ),
    ]


def mission_title(mission) -> str:
    return _("Mission %(ref)s : %(title)s") % {"ref": mission.ref, "title": mission.title}


def mission_body(mission, number: int) -> str:
    """The text of version `number` of a mission's decision, generated from its terms: its
    figures are never typed by hand (the decision refuses a free amendment)."""
    lines = [
        _("Mission %(ref)s, pour le besoin « %(need)s ».")
        % {"ref": mission.ref, "need": mission.need.title},
        "",
        _(
            "Version %(number)s de la mission. Ses conditions et son coût ci-dessous sont "
            "générés depuis la mission : ils changent en l'amendant, jamais dans ce texte."
        )
        % {"number": number},
        "",
        _("Rémunération demandée : %(pay)s.") % {"pay": mission.pay_asked},
        *_contributor_lines(mission),
        _("Coût complet pour la coopérative : %(cost)s (%(engine)s).")
        % {"cost": format_cents(mission.full_cost_cents), "engine": mission.engine_label},
        *_reserve_lines(mission.full_cost_cents),
        "",
        ngettext(
            "Début : %(start)s, pour %(months)s mois.",
            "Début : %(start)s, pour %(months)s mois.",
            mission.duration_months,
        )
        % {"start": mission.start_on.isoformat(), "months": mission.duration_months},
        "",
        "## " + _("Périmètre"),
        "",
        mission.scope,
        "",
        "## " + _("Livrables"),
        "",
        mission.deliverables,
    ]
    return "\n".join(str(line) for line in lines)


def _contributor_lines(mission) -> list[str]:
    """The other people the stored cost pays, each with their pay and its cost. The text is
    kept for good: it names them by their number, never their name."""
    others = [
        part
        for part in mission.cost_breakdown.get("contributors") or []
        if part["member"] != mission.proposer_id
    ]
    numbers = dict(
        Member.objects.filter(pk__in=[part["member"] for part in others]).values_list(
            "pk", "number"
        )
    )
    return [
        _("Payé·e aussi : associé·e n°%(number)s, %(pay)s (coût complet : %(cost)s).")
        % {
            "number": numbers.get(part["member"], "?"),
            "pay": MissionContributor(
                mission=mission, member_id=part["member"], **part["terms"]
            ).pay_asked,
            "cost": format_cents(part["total_cents"]),
        }
        for part in others
    ]


def top_up_body(mission, top_up) -> str:
    lines = [
        _("Engager %(amount)s de plus pour la mission %(ref)s (« %(title)s »).")
        % {"amount": format_cents(top_up.amount_cents), "ref": mission.ref, "title": mission.title},
        _("Déjà engagé : %(committed)s ; il en reste %(left)s.")
        % {
            "committed": format_cents(mission.committed_cents),
            "left": format_cents(funds.committed_cents(mission.ref)),
        },
        *_reserve_lines(top_up.amount_cents),
        "",
        "## " + _("Pourquoi"),
        "",
        top_up.reason,
    ]
    return "\n".join(str(line) for line in lines)


def review_body(mission, report: str) -> str:
    left = funds.committed_cents(mission.ref)
    lines = [
        _("Clore la mission %(ref)s (« %(title)s ») après revue de ce qui a été livré.")
        % {"ref": mission.ref, "title": mission.title},
        _("Engagé : %(committed)s ; il en reste %(left)s, qui retournera à la réserve disponible.")
        % {"committed": format_cents(mission.committed_cents), "left": format_cents(left)},
    ]
    if mission.mark_need_met:
        lines.append(
            _("Le besoin « %(need)s » sera marqué satisfait.") % {"need": mission.need.title}
        )
    lines += ["", "## " + _("Compte rendu"), "", report]
    lines += ["", "## " + _("Payé par rapport à l'engagé, mois par mois"), ""]
    lines += paid_against_planned(mission)
    lines += paid_by_contributor(mission)
    tasks = mission.tasks_done()
    if tasks:
        lines += ["", "## " + _("Tâches faites sous cette mission"), ""]
        lines += [f"- {task.title} ({task.get_state_display().lower()})" for task in tasks]
    return "\n".join(str(line) for line in lines)


def paid_by_contributor(mission) -> list[str]:
    """When several people are paid on the mission, a Markdown table of what the adopted
    version planned for each and what each was paid. The decision's text is kept for good:
    it names each person by their number, never their name."""
    rows = mission.paid_by_contributor()
    if len(rows) < 2:
        return []
    header = [_("Personne"), _("Prévu"), _("Payé"), _("Écart")]
    lines = ["", "## " + _("Prévu et payé pour chaque personne"), ""]
    lines += ["| " + " | ".join(header) + " |", "|---|---:|---:|---:|"]
    for row in rows:
        who = (
            _("Associé·e n°%(number)s") % {"number": row["member"].number} if row["member"] else "—"
        )
        due, paid = row["planned_cents"], row["paid_cents"]
        cells = [who, *map(format_cents, (due, paid, paid - due))]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def paid_against_planned(mission) -> list[str]:
    """A Markdown table: each month's planned cost (the adopted estimate's months) beside
    what was paid in it (cancelled payments aside), and the totals against the commitment."""
    planned = dict(forecast.mission_outflows(mission))
    paid = dict(
        mission.payments.filter(cancelled_at__isnull=True)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("amount_cents"))
        .values_list("month", "total")
        .order_by()
    )
    header = [_("Mois"), _("Prévu"), _("Payé"), _("Écart")]
    lines = ["| " + " | ".join(header) + " |", "|---|---:|---:|---:|"]
    for month in sorted(planned.keys() | paid.keys()):
        due, spent = planned.get(month, 0), paid.get(month, 0)
        cells = [date_format(month, "F Y"), *map(format_cents, (due, spent, spent - due))]
        lines.append("| " + " | ".join(cells) + " |")
    due, spent = sum(planned.values()), sum(paid.values())
    total = [_("Total"), *map(format_cents, (due, spent, spent - due))]
    lines.append("| " + " | ".join(f"**{cell}**" for cell in total) + " |")
    lines += [
        "",
        _("Engagé en tout (compléments compris) : %(committed)s ; payé : %(paid)s.")
        % {"committed": format_cents(mission.committed_cents), "paid": format_cents(spent)},
    ]
    return lines
