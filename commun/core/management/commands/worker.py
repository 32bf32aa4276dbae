"""`commun worker`: run the background tasks (emails, reminders) queued in the database,
and enqueue the periodic jobs (deadlines, digests, repayments) when they are due."""

import logging
import threading

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from commun.core.schedule import enqueue_due
from commun.lib import payroll

logger = logging.getLogger(__name__)
IDLE_INTERVAL_SECONDS = 0.2


def _schedule_forever(stop: threading.Event, every: float):
    while not stop.is_set():
        try:
            enqueued = enqueue_due()
            if enqueued:
                logger.info("Periodic jobs enqueued: %s", ", ".join(enqueued))
        except Exception:  # a failed round must not stop the scheduler
            logger.exception("Periodic scheduling failed")
        finally:
            close_old_connections()
        stop.wait(every)


class Command(DatabaseWorkerCommand):
    help = (
        "Exécute les tâches de fond (e-mails, rappels) mises en file dans la base de données, "
        "et programme les tâches périodiques (échéances, résumés quotidiens, remboursements). "
        "Prend toutes les files, sauf --queue-name. "
        "Mêmes options que db_worker de django-tasks-db, plus --no-schedule."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule", action="store_true", help="Ne pas programmer les tâches périodiques."
        )
        parser.add_argument("--schedule-every", type=float, default=60.0)
        # A page waits for the estimates it queues (at most 0.8 s, Mission.cost_within):
        # an idle worker looks for new tasks five times a second, not once.
        # Alone, a worker takes every queue, the estimates' too; `commun serve` starts one
        # for the estimates and one for the rest (--queue-name).
        parser.set_defaults(interval=IDLE_INTERVAL_SECONDS, queue_name="*")

    def handle(self, *args, no_schedule=False, schedule_every=60.0, **options):
        if _takes_estimates(options.get("queue_name", "*"), options.get("exclude_queues", "")):
            payroll.warm_up()  # as the server does (commun/wsgi.py): no estimate waits for it
        stop = threading.Event()
        if not no_schedule:
            threading.Thread(
                target=_schedule_forever, args=(stop, schedule_every), daemon=True
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()


def _takes_estimates(queue_name: str, exclude_queues: str) -> bool:
    """Whether a worker given these options runs the payroll estimates: only such a worker
    needs the engine, which takes 4–7 s and about 120 MB to build."""
    taken = {name.strip() for name in queue_name.split(",")}
    excluded = {name.strip() for name in (exclude_queues or "").split(",")}
    return bool(taken & {"*", payroll.ESTIMATES_QUEUE}) and payroll.ESTIMATES_QUEUE not in excluded
