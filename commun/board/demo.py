"""The demo cooperative's board: a few tasks on its needs, one at each state of their life.

Called by `commun demo` after the needs and missions; everything goes through the model
methods (`create_task`, `take`, `finish`, `validate`, `send_back`, `abandon`) under a clock
set in the past, so each history reads as it would have happened. Idempotent.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from commun.board.models import Task
from commun.budgets import demo as budgets_demo
from commun.budgets.models import Mission, Need
from commun.deliberation.demo import clock

MARKER = "Corriger l'envoi des billets par e-mail"


def is_loaded() -> bool:
    return Task.objects.filter(title=MARKER).exists()


def load(stdout=None) -> None:
    """Load the demo's tasks (nothing happens when they are there, or without the needs)."""
    ticketing = Need.objects.filter(title=budgets_demo.MARKER).first()
    if is_loaded() or ticketing is None:
        return
    with transaction.atomic():
        _load(ticketing)
    if stdout is not None:
        stdout.write(f"Tableau : {Task.objects.count()} tâches.\n")


def _load(ticketing: Need) -> None:
    now = timezone.now()

    def ago(days: float) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    mission = ticketing.missions.filter(status__in=Mission.FUNDED).order_by("pk").first()
    owner = mission.proposer if mission else ticketing.raised_by
    docs = Need.objects.filter(status__in=Need.LIVE).exclude(pk=ticketing.pk).first()
    helpers = [
        s.member for s in ticketing.supports.select_related("member").order_by("member__number")
    ]
    helpers = [m for m in helpers if m.pk != owner.pk and m.is_active_member] or [owner]
    first, second = (helpers * 2)[:2]
    link = "https://forge.example.org/cooperative/billetterie/-/issues/"

    with clock(ago(20)):
        mailing = Task.objects.create_task(
            owner,
            ticketing,
            title=MARKER,
            description="Les billets partent **deux fois** quand le paiement est lent.",
            mission=mission,
            labels=["billetterie", "bug"],
            links=[link + "41"],
            estimate_hours=6,
        )
        tests = Task.objects.create_task(
            owner,
            ticketing,
            title="Écrire les tests du paiement",
            mission=mission,
            labels=["billetterie", "tests"],
            estimate_hours=10,
            slots=2,
        )
        Task.objects.create_task(
            owner,
            ticketing,
            title="Publier la version 2.4",
            mission=mission,
            labels=["billetterie", "publication"],
            due_on=(now + datetime.timedelta(days=14)).date(),
            links=[link + "52"],
        )
        dropped = Task.objects.create_task(
            owner, ticketing, title="Migrer vers l'ancien prestataire", labels=["billetterie"]
        )
    with clock(ago(15)):
        mailing.take(first)
        tests.take(second)
    with clock(ago(9)):
        mailing.finish(first)
        dropped.abandon(owner, "Le prestataire a fermé : plus rien à migrer.")
    with clock(ago(7)):
        mailing.send_back(owner, "Le cas du remboursement n'est pas couvert.")
    with clock(ago(4)):
        mailing.finish(first)
    with clock(ago(2)):
        mailing.validate(owner)
    if docs is not None:
        with clock(ago(10)):
            translation = Task.objects.create_task(
                docs.raised_by,
                docs,
                title="Traduire le guide d'installation",
                labels=["documentation", "anglais"],
                estimate_hours=8,
            )
        with clock(ago(6)):
            translation.take(second)
        with clock(ago(1)):
            translation.finish(second)
