"""A task for the test of several workers on one database (core/tests/test_workers_pg.py):
each run is noted in a file, so a job run twice, or never, shows."""

import os
import time

from django.tasks import task


@task
def note_run(path: str, number: int):
    time.sleep(0.02)  # long enough for the other worker to claim jobs meanwhile
    with open(path, "a") as notes:  # O_APPEND: each short line lands whole
        notes.write(f"{number} {os.getpid()}\n")


def run_queued_tasks() -> int:
    """Run every task queued in the database, one by one as `commun worker` does (a failed
    task is marked failed, not raised); returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = 0
    for result in DBTaskResult.objects.ready():
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
