"""`commun serve`: the production web server and, beside it, the task workers: one sends the
emails and runs the periodic jobs, the other computes the estimates a person waits for."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.tasks.base import DEFAULT_TASK_QUEUE_NAME
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.translation import gettext as _

from commun.lib.payroll import ESTIMATES_QUEUE

WORKER = [sys.executable, "-m", "commun.cli", "worker"]


def default_workers() -> int:
    """Granian's processes: WEB_CONCURRENCY, else twice the cores plus one."""
    return int(os.getenv("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)


class Command(BaseCommand):
    help = (
        "Sert Commun sur 127.0.0.1:PORT (8000 par défaut) avec granian (plusieurs processus, "
        "fichiers statiques par WhiteNoise) et lance à côté deux `commun worker` : l'un pour "
        "les e-mails et les tâches périodiques, l'autre pour les estimations. SIGHUP redémarre "
        "les processus en douceur, SIGTERM arrête tout. --dev : le serveur de Django."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Adresse d'écoute.")
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.getenv("PORT", "8000")),
            help="Port d'écoute (variable PORT, 8000 par défaut).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Processus web (variable WEB_CONCURRENCY, sinon 2 × cœurs + 1).",
        )
        parser.add_argument(
            "--dev",
            action="store_true",
            help="Le serveur de développement de Django, qui redémarre quand le code change.",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Ne pas lancer les travailleurs de tâches."
        )
        parser.add_argument(
            "--no-reload",
            action="store_true",
            help="Avec --dev : ne pas redémarrer quand le code change.",
        )

    def handle(self, *, host, port, workers, dev, no_worker, no_reload, **options):
        address = f"[{host}]" if ":" in host else host
        if not os.getenv("SITE_URL"):
            # Links in emails and in the signed digest lead here, not to the default port;
            # the worker and the server processes inherit it. Listening on every
            # interface, this machine is still reached at 127.0.0.1.
            local = "127.0.0.1" if host in ("0.0.0.0", "::") else address  # noqa: S104
            os.environ["SITE_URL"] = settings.SITE_URL = f"http://{local}:{port}"
        if dev:
            self.serve_for_development(host, port, address, no_worker, no_reload)
        else:
            self.serve(host, port, workers, no_worker)

    def serve(self, host: str, port: int, workers: int, no_worker: bool):
        refuse_a_busy_port(host, port)
        server = start(granian_command(host, port, workers))
        started = [] if no_worker else start_workers()
        received = []
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda signum, frame: received.append(signum))
        try:
            while True:
                while received:
                    if received.pop(0) != signal.SIGHUP:
                        return
                    # Granian replaces its processes one by one; each worker finishes its
                    # task on SIGTERM, then a new one reads the new code.
                    server.send_signal(signal.SIGHUP)
                    stop_all(started)
                    started = start_workers()
                if server.poll() is not None:
                    raise CommandError(
                        _("granian s'est arrêté (code %(code)s).") % {"code": server.returncode}
                    )
                for worker in started:
                    if worker.poll() is not None:
                        raise CommandError(
                            _("Un travailleur s'est arrêté (code %(code)s).")
                            % {"code": worker.returncode}
                        )
                time.sleep(0.2)
        finally:
            # Granian's main process stops its own processes once each has answered.
            stop(server, group=False)
            stop_all(started)

    def serve_for_development(self, host, port, address, no_worker, no_reload):
        # With autoreload this command runs twice: in the watcher, then in the server it
        # restarts (RUN_MAIN=true). Only the watcher, which lives longest, owns the workers.
        started = []
        if not no_worker and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            refuse_a_busy_port(host, port)
            started = start_workers()
        # A plain `kill` must stop the worker too: turn SIGTERM into an exception.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command(
                "runserver",
                f"{address}:{port}",
                # Django's static view, also with DEBUG off.
                insecure_serving=True,
                use_reloader=settings.DEBUG and not no_reload,
            )
        finally:
            stop_all(started)


def granian_command(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # A process that dies is replaced; one stuck on shutdown is killed after 10 s.
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        "10",
        "commun.wsgi:application",
    ]


def worker_commands() -> list[list[str]]:
    """The task workers: one for everything but the estimates, which schedules the periodic
    jobs; one for the estimates alone, so that a person never waits behind the emails."""
    return [
        [*WORKER, "--queue-name", DEFAULT_TASK_QUEUE_NAME],
        [*WORKER, "--queue-name", ESTIMATES_QUEUE, "--no-schedule"],
    ]


def start_workers() -> list[subprocess.Popen]:
    return [start(command) for command in worker_commands()]


def stop_all(processes: list[subprocess.Popen], wait: float = 15):
    """Stop the workers together, each told once: a worker told twice cuts its task short.
    One still running after `wait` seconds is killed."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    for process in processes:
        try:
            process.wait(timeout=max(0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


def start(command: list[str]) -> subprocess.Popen:
    # Its own process group, so stopping it also stops its own children.
    return subprocess.Popen(command, start_new_session=True, preexec_fn=die_with_parent)


def refuse_a_busy_port(host: str, port: int):
    """Fail before starting the worker: the servers would leave on a busy port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(f"{host}:{port} : {error.strerror}") from None


def die_with_parent():
    """On Linux a child gets SIGTERM if serve dies without stopping it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop(process: subprocess.Popen, group: bool = True):
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            if group or sig == signal.SIGKILL:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
