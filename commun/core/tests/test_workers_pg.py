"""Two application processes enqueue, two `commun worker`s run, one PostgreSQL database (behind
PgBouncer in the PostgreSQL pass): no job runs twice, no email goes twice, none is lost,
and of the two schedulers only one enqueues each periodic job."""

import collections
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from commun.core.schedule import PERIODIC

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
JOBS_PER_APPLICATION = 60  # each job: an email and a noted run

# What a request that writes does: its tasks are enqueued once its transaction commits.
ENQUEUE = """
from django.db import transaction
from commun.core.tasks import send_email
from commun.testing.workers import note_run
for n in range({first}, {first} + {count}):
    with transaction.atomic():
        transaction.on_commit(
            lambda n=n: send_email.enqueue([f"m{{n}}@example.org"], f"Travail {{n}}", "Bonjour\\n")
        )
        transaction.on_commit(lambda n=n: note_run.enqueue({notes!r}, n))
"""


def environment(tmp_path: Path) -> dict:
    """Production settings on the test database: database tasks, emails on the console."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMAIL_")}
    for name in ("COMMUN_TASKS_BACKEND", "DEBUG", "LOG_LEVEL"):
        env.pop(name, None)
    test_database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/"
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "commun.settings",
        "DATABASE_URL": test_database + connection.settings_dict["NAME"],
        "COMMUN_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }


def commun(*args, env, output: Path | None = None) -> subprocess.Popen:
    out = output.open("w") if output else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "commun.cli", *args], env=env, cwd=ROOT, stdout=out, stderr=out
    )


def wait_until_every_job_is_done(expected: int, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if DBTaskResult.objects.finished().count() == expected:
            return
        time.sleep(0.2)
    statuses = collections.Counter(DBTaskResult.objects.values_list("status", flat=True))
    raise AssertionError(f"not every job ran within {timeout} s: {dict(statuses)}")


def test_two_applications_and_two_workers_run_each_job_once_and_send_each_email_once(tmp_path):
    env, notes = environment(tmp_path), tmp_path / "runs.txt"
    workers = [
        commun(
            "worker",
            "--schedule-every",  # both schedulers race for the periodic jobs too
            "0.2",
            "--interval",
            "0.05",
            "--worker-id",
            name,
            env=env,
            output=tmp_path / f"{name}.out",
        )
        for name in ("worker-1", "worker-2")
    ]
    try:
        applications = [
            commun(
                "shell",
                "-c",
                ENQUEUE.format(first=first, count=JOBS_PER_APPLICATION, notes=str(notes)),
                env=env,
                output=tmp_path / f"application-{first}.out",
            )
            for first in (0, JOBS_PER_APPLICATION)
        ]
        for first, application in zip((0, JOBS_PER_APPLICATION), applications, strict=True):
            assert application.wait(timeout=60) == 0, (
                tmp_path / f"application-{first}.out"
            ).read_text()
        jobs = 2 * JOBS_PER_APPLICATION
        wait_until_every_job_is_done(2 * jobs + len(PERIODIC))
    finally:
        for worker in workers:
            worker.terminate()  # graceful: the running job finishes first
        for worker in workers:
            worker.wait(timeout=30)

    results = DBTaskResult.objects.all()
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    claims = collections.Counter(
        name for ids in results.values_list("worker_ids", flat=True) for name in ids
    )
    assert all(len(ids) == 1 for ids in results.values_list("worker_ids", flat=True))
    assert set(claims) == {"worker-1", "worker-2"}  # both took their share of the queue
    # A scheduled path may be an old name kept importable: a run is recorded under the
    # task's own path.
    scheduled = {import_string(path).module_path for path in PERIODIC}
    periodic = collections.Counter(
        path for path in results.values_list("task_path", flat=True) if path in scheduled
    )
    assert periodic == dict.fromkeys(scheduled, 1)  # each enqueued by one scheduler only
    runs = [int(line.split()[0]) for line in notes.read_text().splitlines()]
    assert sorted(runs) == list(range(jobs))
    printed = "".join((tmp_path / f"{name}.out").read_text() for name in claims)
    subjects = re.findall(r"^Subject: Travail (\d+)$", printed, flags=re.MULTILINE)
    assert sorted(int(n) for n in subjects) == list(range(jobs))  # each email once
