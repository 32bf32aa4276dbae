"""A throwaway PostgreSQL cluster: started in a temporary folder, always stopped and removed.

    python -m commun.testing.pgcluster -- pytest -q           # through PgBouncer, as in production
    python -m commun.testing.pgcluster --direct -- pytest -q  # straight to PostgreSQL
    python -m commun.testing.pgcluster --check     # exit 1 when PostgreSQL or PgBouncer is missing

The command runs behind PgBouncer in transaction pooling (Debian's pgbouncer), the mode a
cooperative that outgrows one machine uses (docs/self-hosting.md): DATABASE_URL leads to the
pooler and DATABASE_POOLING=transaction, so every test shows the feature works behind it.
Beside the primary runs a streaming standby, made by `pg_basebackup`, which
DATABASE_REPLICA_URL leads to: the read replica's tests read from it
(commun/core/tests/test_replica.py).

Also a pytest plugin (see commun/conftest.py): tests marked `postgres` skip on SQLite.

PostgreSQL and PgBouncer refuse to run as root, so as root they run as the `postgres` system
user (which Debian's postgresql package creates).
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

import pytest

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


def find_pgbouncer() -> Path | None:
    """Debian installs pgbouncer in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    return Path(found) if found else None


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
        self.pooler: subprocess.Popen | None = None
        self.standby = self.root / "standby"
        self.standby_port = 0

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

    def _log_tail(self, name: str = "server.log") -> str:
        with contextlib.suppress(OSError):
            tail = (self.root / name).read_text().splitlines()[-20:]
            return f"\n--- {name} ---\n" + "\n".join(tail)
        return ""

    def _options(self) -> str:
        options = f"-c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=200"
        if not self.durable:
            # Durability is pointless for data thrown away at the end: it only slows the
            # tests. Benchmarks of writes keep it, as production does.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return options

    def _start_server(self, data: Path, log: Path, options: str) -> int:
        """Start the server of `data` on a free port (retried: another may take it first)."""
        for attempt in range(3):
            port = free_port()
            pg_ctl = [self.tool("pg_ctl"), "-D", str(data), "-l", str(log), "-w"]
            started = self._run(
                *pg_ctl, "-t", "60", "-o", f"{options} -p {port}", "start", check=attempt == 2
            )
            if started.returncode == 0:
                return port
        raise AssertionError("unreachable: the last attempt raises")

    def start(self) -> str:
        initdb = [self.tool("initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust"]
        self._run(*initdb, "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
        # A standby copies the cluster and follows its WAL: it needs WAL of the `replica`
        # level and a replication entry in pg_hba (initdb's sample has one; not relied upon).
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        options = f"{self._options()} -c wal_level=replica -c max_wal_senders=5"
        self.port = self._start_server(self.data, self.log, options)
        createdb = [self.tool("createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        self._run(*createdb, "-U", SUPERUSER, DATABASE, as_server_user=False)
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def start_pooler(self, pgbouncer: Path) -> str:
        """Start PgBouncer in transaction pooling in front of the cluster; return its URL."""
        users = self.root / "pgbouncer-users.txt"
        users.write_text(f'"{SUPERUSER}" ""\n')
        config = self.root / "pgbouncer.ini"
        for _ in range(3):
            port = free_port()
            # `*`: any database name reaches the same-named database on the cluster, so the
            # test database that Django creates, and drops, is reached through the pooler too.
            config.write_text(
                f"[databases]\n* = host=127.0.0.1 port={self.port}\n"
                f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
                f"unix_socket_dir =\nlogfile = {self.root / 'pgbouncer.log'}\n"
                f"auth_type = trust\nauth_file = {users}\nadmin_users = {SUPERUSER}\n"
                "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
            )
            as_postgres = ["-u", SUPERUSER] if self.as_postgres else []
            self.pooler = subprocess.Popen(
                [str(pgbouncer), *as_postgres, str(config)],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._accepts(port, self.pooler):
                return f"postgres://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
            self._stop_pooler()
        raise ClusterError(f"PgBouncer did not start:{self._log_tail('pgbouncer.log')}")

    @staticmethod
    def _accepts(port: int, process: subprocess.Popen) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return True
            time.sleep(0.05)
        return False

    def start_standby(self) -> str:
        """Copy the running cluster with pg_basebackup into a standby that streams its WAL;
        start it on another port, wait until it streams, and return its URL."""
        import psycopg

        basebackup = [self.tool("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port)]
        # -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
        self._run(*basebackup, "-U", SUPERUSER, "-D", str(self.standby), "-R", "-c", "fast")
        self.standby_port = self._start_server(
            self.standby, self.root / "standby.log", self._options()
        )
        url = f"postgres://{SUPERUSER}@127.0.0.1:{self.standby_port}/{DATABASE}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with psycopg.connect(url, autocommit=True) as standby:
                status = standby.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
            if status == ("streaming",):
                return url
            time.sleep(0.05)
        raise ClusterError(f"the standby does not stream:{self._log_tail('standby.log')}")

    def _stop_server(self, data: Path):
        if (data / "postmaster.pid").exists():
            pg_ctl = [self.tool("pg_ctl"), "-D", str(data), "-m", "immediate"]
            stopped = self._run(*pg_ctl, "-w", "-t", "30", "stop", check=False)
            if stopped.returncode and (data / "postmaster.pid").exists():
                pid = int((data / "postmaster.pid").read_text().split()[0])
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                time.sleep(0.5)

    def _stop_pooler(self):
        if self.pooler is not None and self.pooler.poll() is None:
            self.pooler.terminate()
            try:
                self.pooler.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.pooler.kill()
                self.pooler.wait()
        self.pooler = None

    def stop(self):
        try:
            self._stop_pooler()
            # The standby first: without its primary it would only retry, and log so.
            self._stop_server(self.standby)
            self._stop_server(self.data)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster(
    bin_dir: Path | None = None, durable: bool = False, pooled: bool = False
) -> Iterator[str]:
    """Start a private PostgreSQL on 127.0.0.1 and yield its DATABASE_URL; remove it after.

    `durable`: with production's fsync, synchronous_commit and full_page_writes (benchmarks).
    `pooled`: the URL leads to PgBouncer in transaction pooling in front of it."""
    with _throwaway(bin_dir, durable, pooled, standby=False) as (url, _standby):
        yield url


@contextlib.contextmanager
def throwaway_cluster_and_standby(
    bin_dir: Path | None = None, durable: bool = False, pooled: bool = False
) -> Iterator[tuple[str, str]]:
    """As `throwaway_cluster`, with a streaming standby of it: yield both URLs (the
    standby's goes straight to it, the way a read replica is reached)."""
    with _throwaway(bin_dir, durable, pooled, standby=True) as urls:
        yield urls


@contextlib.contextmanager
def _throwaway(bin_dir, durable, pooled, standby) -> Iterator[tuple[str, str]]:
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise ClusterError("PostgreSQL not found (install postgresql).")
    pgbouncer = find_pgbouncer() if pooled else None
    if pooled and pgbouncer is None:
        raise ClusterError("PgBouncer not found (install pgbouncer).")
    cluster = _Cluster(bin_dir, durable)
    try:
        url = cluster.start()
        standby_url = cluster.start_standby() if standby else ""
        yield (cluster.start_pooler(pgbouncer) if pgbouncer else url), standby_url
    finally:
        cluster.stop()


def run(command: list[str], pooled: bool = True) -> int:
    """Run `command` with DATABASE_URL pointing at a throwaway cluster; return its exit code."""
    with throwaway_cluster_and_standby(pooled=pooled) as (url, standby_url):
        env = {**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": standby_url}
        through = "through PgBouncer (transaction pooling) " if pooled else ""
        if pooled:
            env["DATABASE_POOLING"] = "transaction"
        print(
            f"PostgreSQL: throwaway cluster {through}at {url}, its standby at {standby_url}",
            file=sys.stderr,
            flush=True,
        )
        child = subprocess.Popen(command, env=env)
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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Behind PgBouncer, let Django drop its test database at the end: the pooler keeps idle
    connections to it, which PostgreSQL refuses to drop a database under."""
    yield
    if os.environ.get("DATABASE_POOLING") != "transaction":
        return
    import psycopg
    from django.db import connections

    with django_db_blocker.unblock():
        connections.close_all()
        names = {connection.settings_dict["NAME"] for connection in connections.all()}
    admin = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/pgbouncer"
    # The admin console speaks only the simple query protocol, hence no parameters.
    with psycopg.connect(admin, autocommit=True) as console:
        for name in names:
            if re.fullmatch(r"\w+", name):
                console.execute(f"KILL {name}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        bin_dir, pgbouncer = find_bin_dir(), find_pgbouncer()
        if bin_dir and pgbouncer:
            print(f"{bin_dir}, through {pgbouncer}")
        return 0 if bin_dir and pgbouncer else 1
    pooled = argv[:1] != ["--direct"]
    if not pooled:
        argv = argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    # A plain `kill` must still stop the cluster: turn SIGTERM into an exception.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return run(argv, pooled=pooled)
    except ClusterError as error:
        print(f"PostgreSQL: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
