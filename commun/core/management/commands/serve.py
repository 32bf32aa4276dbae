"""`commun serve`: the web server and, beside it, the worker that sends the emails."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV


class Command(BaseCommand):
    help = (
        "Sert Commun avec le serveur de Django sur 127.0.0.1:PORT (8000 par défaut) et lance "
        "`commun worker` à côté. Les fichiers statiques sont servis même sans DEBUG."
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
            "--no-worker", action="store_true", help="Ne pas lancer le travailleur de tâches."
        )
        parser.add_argument(
            "--no-reload",
            action="store_true",
            help="Ne pas redémarrer quand le code change (redémarrage actif avec DEBUG).",
        )

    def handle(self, *, host, port, no_worker, no_reload, **options):
        address = f"[{host}]" if ":" in host else host
        if not os.getenv("SITE_URL"):
            # Links in emails and in the signed digest lead here, not to the default port;
            # the worker and the server the reloader restarts inherit it. Listening on every
            # interface, this machine is still reached at 127.0.0.1.
            local = "127.0.0.1" if host in ("0.0.0.0", "::") else address  # noqa: S104
            os.environ["SITE_URL"] = settings.SITE_URL = f"http://{local}:{port}"
        # With autoreload this command runs twice: in the watcher, then in the server it
        # restarts (RUN_MAIN=true). Only the watcher, which lives longest, owns the worker.
        worker = None
        if not no_worker and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            refuse_a_busy_port(host, port)
            # Its own process group, so stopping it also stops its own reloader's child.
            worker = subprocess.Popen(
                [sys.executable, "-m", "commun.cli", "worker"],
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        # A plain `kill` must stop the worker too: turn SIGTERM into an exception.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command(
                "runserver",
                f"{address}:{port}",
                # Django's static view, also with DEBUG off: Commun needs no other server.
                insecure_serving=True,
                use_reloader=settings.DEBUG and not no_reload,
            )
        finally:
            if worker is not None:
                stop(worker)


def refuse_a_busy_port(host: str, port: int):
    """Fail before starting the worker: runserver leaves by os._exit() on a busy port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(f"{host}:{port} : {error.strerror}") from None


def die_with_parent():
    """On Linux the worker gets SIGTERM if serve dies without stopping it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop(process: subprocess.Popen):
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
