"""`commun serve`: links in emails and in the signed digest lead to the port it serves."""

import subprocess
import sys

import pytest
from django.core.management import call_command

from commun.core.management.commands import serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(monkeypatch):
    """What runserver would be started with, and the settings it would see."""
    started = {}

    def runserver(name, address, **options):
        from django.conf import settings

        started.update(address=address, site_url=settings.SITE_URL)

    monkeypatch.setattr(serve, "call_command", runserver)
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)
    monkeypatch.setenv("SITE_URL", "")
    return started


def test_links_lead_to_the_port_served(served, settings, monkeypatch):
    monkeypatch.delenv("SITE_URL")

    call_command("serve", "--dev", "--port", "8080", "--no-worker")

    assert served == {"address": "127.0.0.1:8080", "site_url": "http://127.0.0.1:8080"}
    # The worker `serve` starts inherits it, so the emails it sends say the same.
    assert serve.os.environ["SITE_URL"] == "http://127.0.0.1:8080"


def test_a_given_site_url_is_kept(served, settings, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://coop.example.org")
    settings.SITE_URL = "https://coop.example.org"

    call_command("serve", "--dev", "--port", "8080", "--no-worker")

    assert served["site_url"] == "https://coop.example.org"


def test_the_workers_are_each_asked_once_to_stop_so_each_finishes_its_task():
    """A worker told twice to stop cuts its task short: each gets one SIGTERM, then time."""
    finishing = (
        "import signal, sys, time\n"
        "told = []\n"
        "def stop(*args):\n"
        "    if told: sys.exit(3)  # told twice: the task would be cut short\n"
        "    told.append(1)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('ready', flush=True)\n"
        "while not told: time.sleep(0.01)\n"
        "time.sleep(float(sys.argv[1]))  # the task in progress ends\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", finishing, task_seconds],
            start_new_session=True,
            stdout=subprocess.PIPE,
        )
        for task_seconds in ("0.2", "1.5")  # the second still works when the first is done
    ]
    for worker in workers:
        assert worker.stdout.readline() == b"ready\n"

    serve.stop_all(workers)

    assert [worker.returncode for worker in workers] == [0, 0]
