"""Time Commun's heaviest pages on a generated 100,000-member cooperative.

    .venv/bin/python bench/run.py                       # SQLite, then PostgreSQL
    .venv/bin/python bench/run.py --databases sqlite --members 10000 --reuse

For each database: generate it (bench/generate.py), serve it with gunicorn (one sync
worker), send sequential requests with Apache Bench (`ab`, concurrency 1) to each page,
and count each page's SQL queries in-process with Django's test client. Prints a
Markdown table and writes it to bench/out/. PostgreSQL runs in a throwaway cluster
(commun.testing.pgcluster) that is removed afterwards.
"""

import argparse
import contextlib
import csv
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
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
    missing = [tool for tool in ("ab",) if shutil.which(tool) is None]
    if missing:
        print("Apache Bench manque : apt-get install -y apache2-utils", file=sys.stderr)
        return 1
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

            with throwaway_cluster() as url:
                generate(url, args.members)
                results.append(run_child(url, args))
        else:
            print(f"Base inconnue : {database} (sqlite ou postgres)", file=sys.stderr)
            return 2
    report = markdown(results, args)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M")
    for name in (f"results-{stamp}.md", "latest.md"):
        (OUT / name).write_text(report)
    (OUT / f"results-{stamp}.json").write_text(json.dumps(results, indent=2))
    print("\n" + report)
    print(f"Écrit dans {OUT / f'results-{stamp}.md'}")
    return 0


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
    for page in pages:
        page["queries"], page["status"] = count_queries(page)
    connection.close()
    load_before = os.getloadavg()[0]
    port = free_port()
    server = start_server(port)
    try:
        for page in pages:
            page.update(time_page(port, page, args.requests, args.warmup))
            print(
                f"  {page['name']:<38} {page['median']:7.1f} ms médiane, "
                f"{page['p95']:7.1f} ms p95, {page['queries']} requêtes SQL",
                flush=True,
            )
    finally:
        stop_server(server)
    # Other work on the machine inflates the figures: the report says how busy it was.
    load = (load_before, os.getloadavg()[0])
    Path(args.child).write_text(json.dumps(describe_database() | {"pages": pages, "load": load}))
    return 0


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


def time_page(port: int, page: dict, requests: int, warmup: int) -> dict:
    url = f"http://127.0.0.1:{port}{page['path']}"
    options = ["-l", "-c", "1", "-s", "60"]  # -l: pages differ in length (CSRF, nonces)
    if page.get("cookie"):
        options += ["-C", page["cookie"]]
    if page.get("authorization"):
        options += ["-H", f"Authorization: {page['authorization']}"]
    subprocess.run(["ab", *options, "-n", str(warmup), url], capture_output=True, check=True)
    percentiles = OUT / "ab.csv"
    done = subprocess.run(
        ["ab", *options, "-n", str(requests), "-e", str(percentiles), url],
        capture_output=True,
        text=True,
        check=True,
    )
    with percentiles.open() as handle:
        rows = {int(float(p)): float(ms) for p, ms in list(csv.reader(handle))[1:]}
    failed = int(re.search(r"Failed requests:\s+(\d+)", done.stdout).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", done.stdout)
    return {
        "median": rows[50],
        "p95": rows[95],
        "failed": failed + (int(non_2xx.group(1)) if non_2xx else 0),
        "requests": requests,
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
        f"Django {django.get_version()}, gunicorn (1 worker sync), Apache Bench "
        f"(`ab -c 1`, {args.warmup} requêtes de chauffe puis {args.requests} mesurées).",
        "",
    ]
    for result in results:
        pages = result["pages"]
        bare = pages[0]["median"]
        lines += [
            f"## {result['database']} — {result['members']:_} associé·es, "
            f"{result['movements']:_} mouvements".replace("_", " "),
            "",
            f"Charge de la machine (loadavg 1 min) : {result['load'][0]:.1f} au début, "
            f"{result['load'][1]:.1f} à la fin.",
            "",
            "| page | requêtes SQL | médiane (ms) | p95 (ms) | × vue nue | statut |",
            "|---|--:|--:|--:|--:|---|",
        ]
        for page in pages:
            status = str(page["status"])
            if page.get("failed"):
                status += f", {page['failed']} échecs"
            lines.append(
                f"| {page['name']} (`{page['path']}`) | {page['queries']} | "
                f"{page['median']:.1f} | {page['p95']:.1f} | {page['median'] / bare:.1f} | "
                f"{status} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
