"""The demo cooperative's webhook: one endpoint and a log of a few deliveries, so that an
officer sees what a received, a retried and a failed delivery look like.

Written as rows, not through `Endpoint.register` nor the worker: registering resolves the
address and the worker would send to it, and loading the demo makes no network call. The
endpoint is left disabled after its failures (its page says so), so the worker sends
nothing afterwards either. Idempotent.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from commun.hooks.models import Delivery, Endpoint, Event, new_secret
from commun.members.models import Member

URL = "https://outils.exemple.org/commun/webhooks"
EVENTS = ["task.created", "task.changed", "decision.closed", "mission.adopted"]
# (event type, data, minutes ago, status, attempts, last answer, error)
LOG = [
    ("task.created", {"title": "Traduire la page des dons"}, 60 * 50, "succeeded", 1, 200, ""),
    ("task.changed", {"title": "Traduire la page des dons"}, 60 * 30, "succeeded", 3, 200, ""),
    ("decision.closed", {"title": "Adopter la charte"}, 60 * 6, "failed", 6, 500, ""),
    (
        "task.changed",
        {"title": "Corriger l'envoi des billets par e-mail"},
        60,
        "failed",
        6,
        None,
        "connexion refusée",
    ),
]


def is_loaded() -> bool:
    return Endpoint.objects.filter(url=URL).exists()


def load(stdout=None) -> None:
    officer = Member.objects.filter(is_officer=True).select_related("user").order_by("pk").first()
    if is_loaded() or officer is None:
        return
    now = timezone.now()
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            url=URL,
            description="Le tableau de bord de l'équipe technique (démo : rien n'est envoyé)",
            events=EVENTS,
            secret=new_secret(),
            created_by=officer.user,
            is_active=False,
            disabled_because=Endpoint.Disabled.FAILURES,
            disabled_at=now - datetime.timedelta(minutes=30),
            failure_streak=12,
        )
        for type_, data, minutes, status, attempts, code, error in LOG:
            at = now - datetime.timedelta(minutes=minutes)
            event = Event.objects.create(type=type_, data=data, created_at=at)
            Delivery.objects.create(
                event=event,
                endpoint=endpoint,
                status=status,
                attempts=attempts,
                response_code=code,
                duration_ms=120 if code else 10_000,
                error=error,
                created_at=at,
                last_attempt_at=at + datetime.timedelta(minutes=attempts * 10),
                next_attempt_at=None,
            )
    if stdout is not None:
        stdout.write(f"Webhooks : un point d'arrivée, {len(LOG)} envois dans son journal.\n")
