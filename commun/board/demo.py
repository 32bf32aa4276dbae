"""The demo cooperative's board: about thirty tasks on its needs, at each state of their life.

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
    _more(ticketing, docs, mission, owner, helpers, link, ago, now)


# The rest of a board that lives: (title, labels, days ago, how far it went, due in days).
MORE = [
    ("Relire la page d'accueil", ["documentation"], 18, "validated", None),
    ("Ajouter l'export des billets en CSV", ["billetterie", "export"], 17, "done", 10),
    ("Corriger l'accent dans les reçus", ["billetterie", "bug"], 16, "validated", None),
    ("Tester sur un vieux téléphone", ["tests", "accessibilité"], 15, "doing", 5),
    ("Documenter la sauvegarde", ["documentation"], 14, "doing", 12),
    ("Vérifier les contrastes des boutons", ["accessibilité"], 13, "todo", 20),
    ("Réduire le poids des images", ["performance"], 13, "done", None),
    ("Écrire la FAQ des organisateurs", ["documentation"], 12, "todo", None),
    ("Prévenir deux fois avant l'événement", ["billetterie"], 12, "doing", 8),
    ("Accepter les paiements en plusieurs fois", ["billetterie", "paiement"], 11, "todo", 30),
    ("Nettoyer les comptes de test", ["maintenance"], 11, "validated", None),
    ("Mettre à jour Django", ["maintenance"], 10, "doing", 3),
    ("Traduire les e-mails en anglais", ["anglais"], 10, "todo", None),
    ("Afficher les places restantes", ["billetterie"], 9, "done", None),
    ("Chiffrer la facture du serveur", ["hébergement"], 9, "abandoned", None),
    ("Tracer les temps de réponse", ["performance"], 8, "todo", None),
    ("Revoir le parcours d'inscription", ["accessibilité"], 8, "doing", 6),
    ("Ajouter un lien vers le code source", ["documentation"], 7, "validated", None),
    ("Couper les sessions inactives", ["sécurité"], 6, "todo", 15),
    ("Renouveler le certificat", ["hébergement"], 5, "done", 2),
    ("Écrire le guide du bénévole", ["documentation"], 4, "todo", 25),
    ("Signaler les billets en double", ["billetterie", "bug"], 3, "doing", 4),
    ("Simplifier le formulaire de don", ["paiement"], 2, "todo", None),
]


def _more(ticketing, docs, mission, owner, helpers, link, ago, now) -> None:
    """About thirty tasks in all, across both needs, at every state, some due soon."""
    for index, (title, labels, days, reached, due) in enumerate(MORE):
        need = docs if docs is not None and "documentation" in labels else ticketing
        funded = mission if need is ticketing and index % 2 == 0 else None
        answerable = funded.proposer if funded else need.raised_by
        taker = helpers[index % len(helpers)]
        creator = taker if index % 3 else owner
        with clock(ago(days)):
            task = Task.objects.create_task(
                creator,
                need,
                title=title,
                mission=funded,
                labels=labels,
                links=[f"{link}{60 + index}"] if index % 4 == 0 else [],
                due_on=(now + datetime.timedelta(days=due)).date() if due else None,
            )
        steps = {
            "todo": [],
            "doing": ["take"],
            "done": ["take", "finish"],
            "validated": ["take", "finish", "validate"],
            "abandoned": ["abandon"],
        }[reached]
        for offset, step in enumerate(steps, start=1):
            with clock(ago(days - offset * 0.5)):
                if step == "take":
                    task.take(taker)
                elif step == "finish":
                    task.finish(taker)
                elif step == "validate":
                    task.validate(answerable)
                else:
                    task.abandon(creator, "Plus nécessaire.")
