"""Hold a realistic load on `commun serve`: Locust's visitors, members and officers at once.

    .venv/bin/python bench/load.py                      # SQLite (WAL), then PostgreSQL
    .venv/bin/python bench/load.py --databases sqlite --members 100000 --users 100 --time 3m

For each database: a cooperative from bench/generate.py (10,000 members by default; the
SQLite file is generated once into bench/out/ and copied for each run), prepared for the
load in a child process (two yes / no votes open to every active member, officers with a
second factor, sessions, a reserve of subscribed shares to pay), then served by
`commun serve` as production runs it (granian's processes and the task worker) while
Locust (bench/locustfile.py, headless, only to 127.0.0.1) holds `--users` users for
`--time`. Prints one table per database, the Locust figures of each request kind, and
writes them to bench/out/load-latest.md. A failed request (a 4xx or 5xx, a stance or a
payment refused) is an error; there must be none.
"""

import argparse
import contextlib
import csv
import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from commun.core.management.commands.serve import default_workers  # noqa: E402

OUT = ROOT / "bench" / "out"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings")
# Sessions made by the child are signed with the key the server reads: one key per run.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

# Members who log in through the form, one at a time (bench/locustfile.py says why); the
# others arrive with a session made beforehand.
REAL_LOGINS = 5
OFFICERS = 10
PAYERS = 200  # members with subscribed shares left to pay, one share per payment
RESERVE = 100_000
SESSIONS = 1000  # members arriving already logged in: at most as many Locust users


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50, help="utilisateurs simultanés")
    parser.add_argument("--spawn-rate", type=float, default=5, help="nouveaux par seconde")
    parser.add_argument("--time", default="2m", help="durée de la charge (Locust : 90s, 2m)")
    parser.add_argument("--workers", type=int, help="processus de granian (défaut : serve)")
    parser.add_argument("--reuse", action="store_true", help="réutiliser la base SQLite générée")
    parser.add_argument("--out", type=Path, default=OUT, help="dossier des résultats")
    parser.add_argument(
        "--think", type=float, default=2, help="attente maximale entre deux actions (s)"
    )
    parser.add_argument("--prepare", help=argparse.SUPPRESS)  # internal: the child
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.prepare:
        import django

        django.setup()
        Path(args.prepare).write_text(json.dumps(prepare(args.members)))
        return 0
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for database in args.databases.split(","):
        print(f"\n=== {database} ===", flush=True)
        if database == "sqlite":
            source = out / f"load-{args.members}.sqlite3"
            if not (args.reuse and source.exists()):
                remove_sqlite(source)
                generate(f"sqlite:///{source}", args.members)
            target = out / "load-run.sqlite3"
            remove_sqlite(target)
            shutil.copyfile(source, target)
            results.append(run(f"sqlite:///{target}", database, args))
        elif database == "postgres":
            from commun.testing.pgcluster import throwaway_cluster

            with throwaway_cluster(durable=True) as url:  # writes: production's fsync
                generate(url, args.members)
                results.append(run(url, database, args))
        else:
            print(f"Base inconnue : {database} (sqlite ou postgres)", file=sys.stderr)
            return 2
    from bench.run import write_report

    write_report(out, "load", "load-latest.md", markdown(results, args), results)
    return 1 if any(result["errors"] for result in results) else 0


def remove_sqlite(path: Path):
    for part in path.parent.glob(f"{path.name}*"):
        part.unlink()


def generate(url: str, members: int):
    started = time.monotonic()
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--members", str(members)],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    print(f"Génération de {members} associé·es : {time.monotonic() - started:.0f} s", flush=True)


def server_env(url: str, data_dir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "commun.settings",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "COMMUN_DATA_DIR": str(data_dir),
        "SITE_URL": "",
        "PYTHONPATH": str(ROOT),
    }


def run(url: str, database: str, args) -> dict:
    """Prepare the database, serve it, hold the load, return Locust's figures."""
    data_dir = args.out / f"load-data-{database}"  # its serve.log kept for a look after
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = server_env(url, data_dir)
    fixture = data_dir / "fixture.json"
    command = [sys.executable, __file__, "--prepare", str(fixture), "--members", str(args.members)]
    step = time.monotonic()
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    print(f"Préparation : {time.monotonic() - step:.0f} s", flush=True)
    prefix = args.out / f"load-{database}"
    workers = args.workers or default_workers()
    step = time.monotonic()
    with serving(env, workers) as host:
        warm_up(host, fixture, workers)
        print(f"Serveur prêt et chaud : {time.monotonic() - step:.0f} s", flush=True)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        locust(host, fixture, prefix, args)
        elapsed = time.monotonic() - started
        load = (load_before, os.getloadavg()[0])
    rows = read_stats(prefix)
    total = rows.pop("Aggregated")
    return {
        "database": database,
        "members": args.members,
        "users": args.users,
        "workers": workers,
        "time": args.time,
        "seconds": round(elapsed),
        "load": load,
        "requests": total["requests"],
        "failures": total["failures"],
        "rps": total["rps"],
        "kinds": rows,
        "errors": read_failures(prefix),
        "total": total,
    }


@contextlib.contextmanager
def serving(env: dict, workers: int):
    """`commun serve` on a free port of 127.0.0.1, its output kept in load-data/."""
    port = free_port()
    command = [sys.executable, "-m", "commun.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    log = (Path(env["COMMUN_DATA_DIR"]) / "serve.log").open("w")
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    host = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(host, server)
        yield host
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(host: str, server: subprocess.Popen, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{host}/", timeout=5):  # noqa: S310 (127.0.0.1)
                return
        except OSError as error:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("commun serve ne répond pas (voir serve.log)") from error
            time.sleep(0.3)


def warm_up(host: str, fixture: Path, workers: int):
    """Each of granian's processes loads Commun on its first request: not in the figures."""
    decision = json.loads(fixture.read_text())["decisions"][0]
    paths = ["/"] * 2 * workers + ["/comptes/", "/decisions/", f"/decisions/{decision}/"]
    for path in paths:
        with urllib.request.urlopen(f"{host}{path}", timeout=60):  # noqa: S310 (127.0.0.1)
            pass


def locust(host: str, fixture: Path, prefix: Path, args):
    command = [
        sys.executable,
        "-m",
        "locust",
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        str(args.time),
        # At the end, each user finishes what it does: no request is cut short.
        "--stop-timeout",
        "30",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        # The figures are read from the CSV files; a failure is reported there, not here.
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "COMMUN_LOAD_FIXTURE": str(fixture), "COMMUN_LOAD_THINK": str(args.think)}
    subprocess.run(command, env=env, check=True)


def read_stats(prefix: Path) -> dict:
    """Locust's `<prefix>_stats.csv`: one row per request kind, and the aggregate."""
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
                "max": float(row["Max Response Time"]),
            }
    return rows


def read_failures(prefix: Path) -> list[dict]:
    """What failed, how often: Locust's failed requests, then the exceptions raised in the
    locustfile (a user stopped by one sends nothing more, and its requests would be missed)."""
    with open(f"{prefix}_failures.csv", newline="") as failures:
        found = [
            {"name": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
            for row in csv.DictReader(failures)
        ]
    with open(f"{prefix}_exceptions.csv", newline="") as exceptions:
        found += [
            {"name": "exception", "error": row["Message"], "count": int(row["Count"])}
            for row in csv.DictReader(exceptions)
        ]
    return found


def markdown(results: list[dict], args) -> str:
    lines = [
        f"# Charge (Locust) — {datetime.datetime.now():%d/%m/%Y %H:%M}",
        "",
        f"{args.users} utilisateur·ices simultané·es (+{args.spawn_rate}/s, de "
        f"{args.think / 4:g} à {args.think:g} s entre deux actions), {args.time} par base, "
        f"`commun serve` ({results[0]['workers'] if results else '?'} processus granian et le "
        "travailleur de tâches).",
    ]
    for result in results:
        total = result["total"]
        lines += [
            "",
            f"## {result['database']} — {result['members']:_} associé·es "
            f"(charge {result['load'][0]:.1f} → {result['load'][1]:.1f})".replace("_", " "),
            "",
            f"{result['users']} utilisateur·ices tenu·es, {result['requests']} requêtes, "
            f"**{result['rps']:.1f} req/s**, "
            f"**{sum(error['count'] for error in result['errors'])} erreurs**.",
            "",
            "| requête | nombre | erreurs | req/s | p50 (ms) | p95 (ms) | p99 (ms) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in sorted(result["kinds"].items()):
            lines.append(table_row(name, row))
        lines.append(table_row("**total**", total))
        if result["errors"]:
            lines.append("")
        for error in result["errors"]:
            lines.append(f"- {error['count']} × {error['name']} : {error['error']}")
    return "\n".join(lines) + "\n"


def table_row(name: str, row: dict) -> str:
    return (
        f"| {name} | {row['requests']} | {row['failures']} | {row['rps']:.1f} | "
        f"{row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} |"
    )


# The child: what the load needs in the generated cooperative. -----------------------------


def prepare(members: int) -> dict:
    """Open the votes, make the officers and sessions, set shares aside to pay."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0, skip_checks=True)
    publish_the_cooperative_space()
    decisions = [open_vote(title) for title in VOTES]
    officers = make_officers(OFFICERS)
    voters = voting_members(decisions[0], exclude=officers)
    logins = voters[: min(REAL_LOGINS, len(voters) // 3)]
    others = voters[len(logins) :]
    verify_emails(logins)
    with transaction.atomic():  # one commit, not a thousand (PostgreSQL syncs each)
        payers = set_shares_aside(others[-max(1, min(PAYERS, len(others) // 4)) :])
        member_sessions = [session_of(pk) for pk, _email in others[:SESSIONS]]
        officer_sessions = [session_of(pk, second_factor=True) for pk in officers]
    fixture = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "password": PASSWORD,
        "decisions": decisions,
        "logins": [email for _pk, email in logins],
        "member_sessions": member_sessions,
        "officer_sessions": officer_sessions,
        "payers": payers,
    }
    connection.close()
    return fixture


PASSWORD = "bench-commun-2026"  # bench/generate.py's
VOTES = [
    ("Adhérer à la fédération des SCIC du numérique", "Nous adhérons (300 € par an)."),
    ("Ouvrir un deuxième tiers-lieu", "Un local à Die, loué 600 € par mois."),
]


def publish_the_cooperative_space():
    """Its decisions public, as a cooperative that governs in the open sets it: visitors read
    them."""
    from commun.deliberation.models import Space

    space = Space.objects.cooperative()
    space.visibility = Space.Visibility.PUBLIC
    space.save(update_fields=["visibility"])


def open_vote(title_and_body: tuple[str, str]) -> int:
    """A public yes / no vote among every active member; its notifications sent already,
    so that the worker does not send them during the load."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from commun.decisions import tasks
    from commun.decisions.models import Decision
    from commun.deliberation.models import Space
    from commun.members.models import Member

    title, body = title_and_body
    author = Member.objects.get(number=1)
    thread = Space.objects.cooperative().start_thread(author, title, body)
    decision = Decision.objects.propose(
        thread=thread,
        author=author,
        kind=Decision.Kind.YES_NO,
        title=title,
        body=body,
        min_deliberation=datetime.timedelta(0),
        closes_at=timezone.now() + datetime.timedelta(days=30),
        quorum_percent=10,
    )
    decision.open()
    tasks.tell_eligible.call(decision.pk, decision.current_round.number)
    DBTaskResult.objects.filter(task_path__endswith="tell_eligible").delete()
    return decision.pk


def make_officers(count: int) -> list[int]:
    """Members 1..count as officers, each with an authenticator app (the rule for them)."""
    from allauth.mfa.models import Authenticator

    from commun.members.models import Member

    officers = list(Member.objects.filter(number__lte=count).order_by("number"))
    Member.objects.filter(pk__in=[m.pk for m in officers]).update(is_officer=True)
    for member in officers:
        Authenticator.objects.get_or_create(
            user_id=member.user_id,
            type=Authenticator.Type.TOTP,
            defaults={"data": {"secret": secrets.token_hex(20)}},
        )
    return [member.user_id for member in officers]


def voting_members(decision_id: int, exclude: list[int]) -> list[tuple[int, str]]:
    """(user id, email) of the eligible members, in number order."""
    from commun.decisions.models import Eligibility

    return list(
        Eligibility.objects.filter(decision_id=decision_id)
        .exclude(member__user_id__in=exclude)
        .order_by("member__number")
        .values_list("member__user_id", "member__user__email")[: REAL_LOGINS + SESSIONS + PAYERS]
    )


def verify_emails(users: list[tuple[int, str]]):
    """Logging in needs a verified address (ACCOUNT_EMAIL_VERIFICATION = mandatory)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=pk, email=email, verified=True, primary=True) for pk, email in users]
    )


def set_shares_aside(users: list[tuple[int, str]]) -> list[int]:
    """Member numbers with RESERVE subscribed shares each, so that payments never run out."""
    from commun.members.models import Member, ShareMovement

    numbers = []
    for member in Member.objects.filter(user_id__in=[pk for pk, _email in users]):
        ShareMovement.objects.record(
            ShareMovement.Kind.SUBSCRIPTION,
            member,
            RESERVE,
            authorised_by="bench/load.py",
            reason="Souscription à payer pendant la charge",
        )
        numbers.append(member.number)
    return numbers


def session_of(user_id: int, second_factor: bool = False) -> str:
    """A session as logging in leaves it, with the second factor for an officer."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from commun.accounts.models import User

    user = User.objects.get(pk=user_id)
    request = RequestFactory().get("/")
    request.session = SessionStore()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_authentication(request, user, "password", email=user.email)
    if second_factor:
        factor = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(request, user, "mfa", id=factor.pk, type=factor.type)
    request.session.save()
    return request.session.session_key


if __name__ == "__main__":
    sys.exit(main())
