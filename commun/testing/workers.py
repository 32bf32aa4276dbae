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
