"""Time Commun's heaviest pages on a generated 100,000-member cooperative.

    .venv/bin/python bench/run.py                       # SQLite, then PostgreSQL
    .venv/bin/python bench/run.py --databases sqlite --members 10000 --reuse

For each database: generate it (bench/generate.py), serve it with granian as `commun
serve` does (one process), send sequential requests (a small `http.client` driver, one
connection each) to each page in `--runs` rounds, each page right after the bare view,
and count each page's SQL queries in-process with Django's test client. Prints a
Markdown table and writes it to bench/out/. PostgreSQL runs in a throwaway cluster
(commun.testing.pgcluster) with production's durability settings, removed afterwards.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
URLCONF = "bench.bench_urls"
# Throwaway databases: a key drawn per run (the settings refuse to start without one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="mesurées, par page")
    parser.add_argument("--warmup", type=int, default=20, help="non mesurées, avant")
    parser.add_argument(
        "--runs", type=int, default=5, help="séries, chaque page après la vue nue (médiane)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="réutiliser la base SQLite déjà générée dans bench/out/",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: measure, write JSON
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return measure(args)
    if subprocess.run([sys.executable, "-c", "import granian"], check=False).returncode:
        print("granian manque : make venv", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for database in args.databases.split(","):
        print(f"\n=== {database} ===", flush=True)
        if database == "sqlite":
            path = OUT / f"bench-{args.members}.sqlite3"
            url = f"sqlite:///{path}"
            if not (args.reuse and path.exists()):
                for stale in OUT.glob(f"{path.name}*"):
                    stale.unlink()
                generate(url, args.members)
            results.append(run_child(url, args))
        elif database == "postgres":
            from commun.testing.pgcluster import throwaway_cluster

            with throwaway_cluster(durable=True) as url:  # production's fsync and WAL
                generate(url, args.members)
                results.append(run_child(url, args))
        else:
            print(f"Base inconnue : {database} (sqlite ou postgres)", file=sys.stderr)
            return 2
    write_report(OUT, "results", "latest.md", markdown(results, args), results)
    return 0


def write_report(out: Path, prefix: str, latest: str, report: str, results) -> None:
    """Print the report and keep it in `out`: dated Markdown and JSON, and `latest`."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M")
    for name in (f"{prefix}-{stamp}.md", latest):
        (out / name).write_text(report)
    (out / f"{prefix}-{stamp}.json").write_text(json.dumps(results, indent=2))
    print("\n" + report)
    print(f"Écrit dans {out / f'{prefix}-{stamp}.md'}")


def generate(url: str, members: int):
    started = time.monotonic()
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--members", str(members)],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        cwd=ROOT,
    )
    print(f"Génération : {time.monotonic() - started:.0f} s", flush=True)


def run_child(url: str, args) -> dict:
    output = OUT / "child.json"
    command = [
        sys.executable,
        __file__,
        "--child",
        str(output),
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--runs",
        str(args.runs),
    ]
    subprocess.run(command, env=server_env(url), check=True, cwd=ROOT)
    return json.loads(output.read_text())


def server_env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "COMMUN_URLCONF": URLCONF,
        "DJANGO_SETTINGS_MODULE": "commun.settings",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
    }


# The child: one database, set up once, measured page by page. ----------------------------


def measure(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    # A database reused from an earlier run may predate the latest migrations.
    call_command("migrate", verbosity=0, skip_checks=True)
    session, token = credentials()
    pages = endpoints(session, token)
    connection.close()
    Path(args.child).write_text(json.dumps(serve_and_time(pages, args)))
    return 0


def serve_and_time(pages: list[dict], args) -> dict:
    """Count each page's queries, then serve them with granian and time them (`pages` get
    their figures in place): the database, the pages, and the load average around it."""
    from django.db import connection

    for page in pages:
        page["queries"], page["status"] = count_queries(page)
    database = describe_database()
    connection.close()
    load_before = os.getloadavg()[0]
    port = free_port()
    server = start_server(port)
    for page in pages:
        if page["status"] == 404:
            page.update(median=None, p95=None, failed=None, requests=0)
            print(f"    {page['name']:<34} MANQUE (404)", flush=True)
    try:
        time_pages(port, pages, args.requests, args.warmup, args.runs)
    finally:
        stop_server(server)
    # Other work on the machine inflates the figures: the report says how busy it was.
    return database | {"pages": pages, "load": (load_before, os.getloadavg()[0])}


def credentials() -> tuple[str, str]:
    """A member's session cookie and API token, made directly rather than by logging in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench.generate import MEMBER_EMAIL
    from commun.accounts.models import ApiToken, User

    user = User.objects.get(email=MEMBER_EMAIL)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    _token, secret = ApiToken.issue(user, "bench")
    return session.session_key, secret


def endpoints(session: str, token: str) -> list[dict]:
    from django.conf import settings

    from commun.members.models import Cooperative, Member

    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    bearer = f"Bearer {token}"
    active = Member.objects.active().count()
    movements = Cooperative.get().last_movement_number
    directory_size = page_size("DIRECTORY_PAGE_SIZE")
    register_size = page_size("REGISTER_PAGE_SIZE")
    directory_last = max(1, -(-active // directory_size))
    register_last = max(1, -(-movements // register_size))
    api_size = settings.NINJA_PAGINATION_PER_PAGE
    return [
        {"name": "vue Django nue (1 ligne)", "path": "/bench/bare/"},
        {"name": "accueil public", "path": "/"},
        {"name": "annuaire, page 1", "path": "/associes/", "cookie": cookie},
        {
            "name": f"annuaire, page {directory_last} (dernière)",
            "path": f"/associes/?page={directory_last}",
            "cookie": cookie,
        },
        {"name": "annuaire, recherche « martin »", "path": "/associes/?q=martin", "cookie": cookie},
        {"name": "registre, page 1", "path": "/registre/", "cookie": cookie},
        {
            "name": f"registre, page {register_last} (dernière)",
            "path": f"/registre/?page={register_last}",
            "cookie": cookie,
        },
        {"name": "API /api/v1/members", "path": "/api/v1/members", "authorization": bearer},
        {
            "name": "API /api/v1/members, dernière page",
            "path": f"/api/v1/members?page={max(1, -(-active // api_size))}",
            "authorization": bearer,
        },
        {"name": "API /api/v1/register", "path": "/api/v1/register", "authorization": bearer},
        {
            "name": "API /api/v1/register, dernière page",
            "path": f"/api/v1/register?page={max(1, -(-movements // api_size))}",
            "authorization": bearer,
        },
    ]


def page_size(name: str) -> int:
    from commun.members import views

    return getattr(views, name, 50)


def queries_in(work) -> int:
    """How many SQL statements `work()` runs, in process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def count_queries(page: dict) -> tuple[int, int]:
    """SQL queries of the second request (the first warms per-process caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers = {}
    if page.get("cookie"):
        name, _equals, value = page["cookie"].partition("=")
        client.cookies[name] = value
    if page.get("authorization"):
        headers["Authorization"] = page["authorization"]
    client.get(page["path"], headers=headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page["path"], headers=headers)
    return len(queries), response.status_code


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int = 1) -> subprocess.Popen:
    """Serve as production does (`commun serve`'s granian command), `workers` processes."""
    from commun.core.management.commands.serve import granian_command

    command = granian_command("127.0.0.1", port, workers)
    # One request at a time per process, as the bench wants; no access log.
    command[-1:-1] = ["--blocking-threads", "1", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, urllib.error.URLError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=5).read()
            return server
        if server.poll() is not None:
            raise RuntimeError("granian s'est arrêté au démarrage")
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("granian ne répond pas")


def stop_server(server: subprocess.Popen) -> None:
    """Stop granian and its worker processes (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=wait)
            return


def time_pages(port: int, pages: list[dict], requests: int, warmup: int, runs: int):
    """Time every page in `runs` rounds, each page after the bare view (`pages[0]`) in each:
    a page's ratio divides figures taken in the same round. A page's figures are the median
    of its rounds', with their spread; `pages` are updated in place."""
    per_run = max(1, requests // runs)
    measured = [page for page in pages if page.get("status") != 404]
    rounds = {page["path"]: [] for page in measured}
    for run in range(runs):
        for page in measured:
            rounds[page["path"]].append(time_page(port, page, per_run, warmup if run == 0 else 0))
    floor = rounds[pages[0]["path"]]
    for page in measured:
        series = rounds[page["path"]]
        page.update(
            median=statistics.median(one["median"] for one in series),
            p95=statistics.median(one["p95"] for one in series),
            medians=[one["median"] for one in series],
            p95s=[one["p95"] for one in series],
            ratios=[
                one["median"] / bare["median"] for one, bare in zip(series, floor, strict=True)
            ],
            failed=sum(one["failed"] for one in series),
            requests=per_run * runs,
        )
        page["ratio"] = statistics.median(page["ratios"])
        print(
            f"  {page['name']:<38} {page['median']:7.1f} ms médiane, {page['p95']:7.1f} ms p95 "
            f"({spread(page['p95s'])}), {page['ratio']:.1f}× vue nue, "
            f"{page['queries']} requêtes SQL",
            flush=True,
        )


def spread(values: list[float], unit: str = " ms") -> str:
    return f"{min(values):.1f}–{max(values):.1f}{unit}"


def time_page(port: int, page: dict, requests: int, warmup: int) -> dict:
    headers = {}
    if page.get("cookie"):
        headers["Cookie"] = page["cookie"]
    if page.get("authorization"):
        headers["Authorization"] = page["authorization"]
    return Driver(port).series(("GET", page["path"], headers, None), requests, warmup)


class Driver:
    """Sequential requests, a new connection each (as a browser's first visit), timed one
    by one: Apache Bench's percentiles are wrong below 100 requests, and it repeats one
    request where the stances need another token each."""

    def __init__(self, port: int):
        self.port = port

    def send(self, method: str, path: str, headers: dict, body) -> tuple[float, int]:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        finally:
            connection.close()
        return (time.perf_counter() - started) * 1000, status

    def series(self, requests, count: int | None, warmup: int) -> dict:
        """Send `requests` (one request repeated `count` times, or a list), the first
        `warmup` unmeasured."""
        if count is not None:
            requests = [requests] * (count + warmup)
        latencies, failures = [], 0
        for i, request in enumerate(requests):
            elapsed, status = self.send(*request)
            if i < warmup:
                continue
            latencies.append(elapsed)
            failures += not 200 <= status < 300
        return summary(latencies, failures)


def summary(latencies: list[float], failures: int) -> dict:
    ordered = sorted(latencies)
    if not ordered:
        return {"median": 0.0, "p95": 0.0, "max": 0.0, "count": 0, "failed": failures}
    return {
        "median": statistics.median(ordered),
        "p95": ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
        "count": len(ordered),
        "failed": failures,
    }


def describe_database() -> dict:
    from django.db import connection

    from commun.members.models import Cooperative, Member

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0].split()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            version = "SQLite " + cursor.fetchone()[0]
    return {
        "database": version,
        "members": Member.objects.count(),
        "movements": Cooperative.get().last_movement_number,
    }


# The report. ------------------------------------------------------------------------------


def markdown(results: list[dict], args) -> str:
    import django

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    lines = [
        f"# Commun — mesures du {datetime.date.today():%d/%m/%Y}",
        "",
        f"Machine : {os.cpu_count()} cœurs ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, granian (un processus), client `http.client` "
        f"séquentiel ({args.warmup} requêtes de chauffe puis {args.requests} mesurées par "
        f"page, en {args.runs} séries où chaque page suit la vue nue ; chaque chiffre est la "
        "médiane des séries, l'écart entre parenthèses). PostgreSQL avec les réglages de "
        "durabilité de production (fsync, synchronous_commit, full_page_writes).",
        "",
    ]
    for result in results:
        pages = result["pages"]
        lines += [
            f"## {result['database']} — {result['members']:_} associé·es, "
            f"{result['movements']:_} mouvements".replace("_", " "),
            "",
            f"Charge de la machine (loadavg 1 min) : {result['load'][0]:.1f} au début, "
            f"{result['load'][1]:.1f} à la fin.",
            "",
            *page_table(pages),
            "",
        ]
    return "\n".join(lines)


P95_TARGET = 100  # ms, on both databases (docs/product.md)


def page_table(pages: list[dict]) -> list[str]:
    """Each page's figures, its spread over the rounds, and its p95 next to the target."""
    lines = [
        "| page | requêtes SQL | médiane (ms) | p95 (ms) | écart des p95 | cible p95 "
        "| × vue nue | statut |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for page in pages:
        if page.get("median") is None:
            lines.append(f"| {page['name']} (`{page['path']}`) | — | — | — | — | — | — | 404 |")
            continue
        status = str(page["status"])
        if page.get("failed"):
            status += f", {page['failed']} échecs"
        verdict = "atteinte" if page["p95"] < P95_TARGET else "**pas atteinte**"
        lines.append(
            f"| {page['name']} (`{page['path']}`) | {page['queries']} | {page['median']:.1f} | "
            f"{page['p95']:.1f} | {spread(page['p95s'], '')} | < {P95_TARGET} : {verdict} | "
            f"{page['ratio']:.1f} ({spread(page['ratios'], '×')}) | {status} |"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
