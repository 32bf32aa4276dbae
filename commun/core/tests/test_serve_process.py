"""`commun serve` as production runs it: granian's processes and the two task workers (the
estimates have their own), started, answering, then stopped by one SIGTERM."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def fetch(url: str, wait: float = 0):
    deadline = time.monotonic() + wait
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)  # noqa: S310 (127.0.0.1 only)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def commun(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "commun.cli", *args], env=env, check=True)


def test_it_serves_pages_and_static_files_and_stops_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commun.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "COMMUN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/commun.sqlite3",
        "SITE_URL": "",
    }
    commun("migrate", "--verbosity", "0", env=env)
    commun("collectstatic", "--noinput", "--verbosity", "0", env=env)
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "commun.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
    )
    started = []
    try:
        page = fetch(f"http://127.0.0.1:{port}/", wait=20)
        started = children(serve.pid)

        assert page.status == 200
        assert "script-src 'self' 'nonce-" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        htmx = fetch(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js")
        assert htmx.status == 200
        assert "javascript" in htmx.headers["Content-Type"]
        assert htmx.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age" in htmx.headers["Cache-Control"]
        assert b"htmx" in htmx.read()
        assert len(started) == 3, "granian, the task worker and the estimates' worker"
        queues = sorted(Path(f"/proc/{pid}/cmdline").read_text() for pid in started[1:])
        assert "--queue-name\0default" in queues[0] and "--queue-name\0estimates" in queues[1]

        serve.send_signal(signal.SIGTERM)

        assert serve.wait(timeout=10) == 0
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in started)
    finally:
        for pid in [serve.pid, *started]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        serve.wait()
