"""A throwaway PostgreSQL cluster: started in a temporary folder, always stopped and removed.

    python -m commun.testing.pgcluster -- pytest -q     # runs pytest with DATABASE_URL set
    python -m commun.testing.pgcluster --check          # exit 1 when PostgreSQL is not installed

Also a pytest plugin (see commun/conftest.py): tests marked `postgres` skip on SQLite.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
(which Debian's postgresql package creates) through `runuser`.
"""

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DATABASE = "commun"
SUPERUSER = "postgres"


class ClusterError(RuntimeError):
    pass


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: from PATH, else Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        # Debian links a few binaries into /usr/local/bin; createdb lives beside the real one.
        return Path(os.path.realpath(on_path)).parent

    def version(folder: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", folder))

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Cluster:
    def __init__(self, bin_dir: Path, durable: bool = False):
        self.bin_dir = bin_dir
        self.durable = durable
        self.port = 0
        self.as_postgres: list[str] = []
        account = None
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise ClusterError(
                    "PostgreSQL cannot run as root and there is no 'postgres' system user: "
                    "install Debian's postgresql package or run the tests as another user."
                ) from None
            self.as_postgres = ["runuser", "-u", SUPERUSER, "--"]
        # As root, in /tmp (mkdtemp: private, unique): a TMPDIR under /root would be out of
        # the postgres user's reach.
        parent = "/tmp" if account else None  # noqa: S108
        self.root = Path(tempfile.mkdtemp(prefix="commun-pg-", dir=parent))
        if account:
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    def _run(self, *args: str, as_server_user: bool = True, check: bool = True):
        command = [*(self.as_postgres if as_server_user else []), *args]
        result = subprocess.run(
            command, cwd=self.root, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        if check and result.returncode:
            raise ClusterError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}{self._log_tail()}"
            )
        return result

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n--- server log ---\n" + "\n".join(self.log.read_text().splitlines()[-20:])
        return ""

    def start(self) -> str:
        initdb = [self.tool("initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust"]
        self._run(*initdb, "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
        options = f"-c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=200"
        if not self.durable:
            # Durability is pointless for data thrown away at the end: it only slows the
            # tests. Benchmarks of writes keep it, as production does.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        for attempt in range(3):
            self.port = free_port()
            pg_ctl = [self.tool("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
            started = self._run(
                *pg_ctl, "-t", "60", "-o", f"{options} -p {self.port}", "start", check=attempt == 2
            )
            if started.returncode == 0:
                break
        createdb = [self.tool("createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        self._run(*createdb, "-U", SUPERUSER, DATABASE, as_server_user=False)
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self):
        try:
            if (self.data / "postmaster.pid").exists():
                pg_ctl = [self.tool("pg_ctl"), "-D", str(self.data), "-m", "immediate"]
                stopped = self._run(*pg_ctl, "-w", "-t", "30", "stop", check=False)
                if stopped.returncode and (self.data / "postmaster.pid").exists():
                    pid = int((self.data / "postmaster.pid").read_text().split()[0])
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    time.sleep(0.5)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster(bin_dir: Path | None = None, durable: bool = False) -> Iterator[str]:
    """Start a private PostgreSQL on 127.0.0.1 and yield its DATABASE_URL; remove it after.

    `durable`: with production's fsync, synchronous_commit and full_page_writes (benchmarks).
    """
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise ClusterError("PostgreSQL not found (install postgresql).")
    cluster = _Cluster(bin_dir, durable)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def run(command: list[str]) -> int:
    """Run `command` with DATABASE_URL pointing at a throwaway cluster; return its exit code."""
    with throwaway_cluster() as url:
        print(f"PostgreSQL: throwaway cluster at {url}", file=sys.stderr, flush=True)
        child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": url})
        try:
            return child.wait()
        except BaseException as error:
            # Ctrl-C reached the child too: give it time to tear down before insisting.
            first = None if isinstance(error, KeyboardInterrupt) else child.terminate
            for stop in (first, child.terminate, child.kill):
                if stop:
                    stop()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=20)
                    break
            raise
        finally:
            print("PostgreSQL: cluster stopped and removed", file=sys.stderr, flush=True)


def pytest_collection_modifyitems(items):
    """Tests marked `postgres` skip on SQLite: they run in the PostgreSQL pass of `make test`."""
    import pytest
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL pass of make test")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        bin_dir = find_bin_dir()
        if bin_dir:
            print(bin_dir)
        return 0 if bin_dir else 1
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    # A plain `kill` must still stop the cluster: turn SIGTERM into an exception.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return run(argv)
    except ClusterError as error:
        print(f"PostgreSQL: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
