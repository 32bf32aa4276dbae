"""A task for the test of several workers on one database (core/tests/test_workers_pg.py):
each run is noted in a file, so a job run twice, or never, shows."""

import os
import time

from django.tasks import task

# Tasks queued in the database, as in production, on both queues `commun serve` works
# (`settings.TASKS = TASKS_IN_DATABASE`): they run only when the test runs them.
TASKS_IN_DATABASE = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default", "estimates"],
    }
}


@task
def note_run(path: str, number: int):
    time.sleep(0.02)  # long enough for the other worker to claim jobs meanwhile
    with open(path, "a") as notes:  # O_APPEND: each short line lands whole
        notes.write(f"{number} {os.getpid()}\n")


def run_queued_tasks(queue_names: tuple[str, ...] = ("*",)) -> int:
    """Run every task queued in the database on `queue_names`, one by one as `commun worker`
    does (a failed task is marked failed, not raised); returns how many ran.

    Without the worker's loop, which closes the test's connection between tasks (it is
    inside the test's transaction)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=list(queue_names),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ready = DBTaskResult.objects.ready()
    if "*" not in queue_names:
        ready = ready.filter(queue_name__in=queue_names)
    ran = 0
    for result in ready:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
