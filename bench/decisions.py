"""Time a decision with 100,000 eligible members: opening it, stances, its page and tally.

    .venv/bin/python bench/decisions.py                          # SQLite, then PostgreSQL
    .venv/bin/python bench/decisions.py --databases sqlite --stances 200 --reads 100

On the generated cooperative (bench/generate.py; the SQLite file in bench/out/ is reused
and copied, so the members' benchmark keeps its own), a child process opens a yes / no
vote, then another a consent decision in its objection round (`--kinds`), among every
active member, and times `Decision.open()` (`--openings` decisions opened one after the
other: the median and the spread) and the notification task; then it serves the database
with granian (two servers of one process: one for the reads and the timed writes, one for
the stances arriving meanwhile) and times, with a small `http.client` driver, one request at
a time, in `--runs` rounds (each figure the median of the rounds'):

- a bare view reading one row, and one inserting one row (the floors);
- `PUT /api/v1/decisions/{id}/stance`, each request with the token of another member
  (a first stance: an INSERT), then members changing their stance (an UPDATE);
- the decision page and `GET /api/v1/decisions/{id}/tally`, first alone, then while a
  writer thread casts stances as fast as the server takes them, and last once nine in ten
  eligible members have spoken (those stances bulk-inserted, as the tests' `speak()`).

Prints a Markdown table and writes it to bench/out/decisions-latest.md. The opening alone,
against its 0.3 s target, in a few minutes (most of them generating PostgreSQL's members):

    .venv/bin/python bench/decisions.py --databases postgres --kinds yes_no --open-only
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as pages  # noqa: E402

OUT = pages.OUT
FULL_SHARE = 0.9


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument(
        "--kinds", default="yes_no,consent", help="yes_no (un vote), consent (un tour d'objections)"
    )
    parser.add_argument("--kind", help=argparse.SUPPRESS)  # the child's
    parser.add_argument("--stances", type=int, default=500, help="premières positions mesurées")
    parser.add_argument("--changes", type=int, default=100, help="changements de position")
    parser.add_argument("--reads", type=int, default=200, help="lectures mesurées, par page")
    parser.add_argument(
        "--runs", type=int, default=5, help="séries d'écritures (médiane des médianes)"
    )
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--openings", type=int, default=5, help="ouvertures mesurées (médiane et écart)"
    )
    parser.add_argument(
        "--open-only", action="store_true", help="seulement l'ouverture, sans serveur HTTP"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return measure(args)
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for database in args.databases.split(","):
        print(f"\n=== {database} ===", flush=True)
        kinds = args.kinds.split(",")
        if database == "sqlite":
            source = OUT / f"bench-{args.members}.sqlite3"
            if not source.exists():
                pages.generate(f"sqlite:///{source}", args.members)
            for kind in kinds:
                results.append(run_child(f"sqlite:///{fresh_copy(source)}", args, kind))
        elif database == "postgres":
            from commun.testing.pgcluster import throwaway_cluster

            with throwaway_cluster(durable=True) as url:  # writes: production's fsync
                pages.generate(url, args.members)
                for kind in kinds:  # one after the other, in the same database
                    results.append(run_child(url, args, kind))
        else:
            print(f"Base inconnue : {database} (sqlite ou postgres)", file=sys.stderr)
            return 2
    report = markdown(results, args)
    pages.write_report(OUT, "decisions", "decisions-latest.md", report, results)
    return 0


def fresh_copy(source: Path) -> Path:
    """A copy of the generated SQLite database: what is written here stays out of the
    members' benchmark, and each run starts from the same state."""
    target = OUT / source.name.replace("bench-", "decisions-")
    for stale in OUT.glob(f"{target.name}*"):
        stale.unlink()
    for part in OUT.glob(f"{source.name}*"):
        shutil.copyfile(part, OUT / part.name.replace(source.name, target.name))
    return target


def run_child(url: str, args, kind: str) -> dict:
    print(f"--- {KINDS[kind]} ---", flush=True)
    output = OUT / "decisions-child.json"
    command = [sys.executable, __file__, "--child", str(output), "--kind", kind]
    for name in ("members", "stances", "changes", "reads", "warmup", "runs", "openings"):
        command += [f"--{name}", str(getattr(args, name))]
    if args.open_only:
        command.append("--open-only")
    subprocess.run(command, env=pages.server_env(url), check=True, cwd=ROOT)
    return json.loads(output.read_text())


# The child: set the decision up, then time it through HTTP. -------------------------------


def measure(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    setup = open_decision(args.kind, args.openings, notify=not args.open_only)
    notified = "" if args.open_only else f" ; notifications : {setup['notify_ms']:.0f} ms"
    print(
        f"  ouverture ({setup['eligible']:_} appelé·es) : {setup['open_ms']:.0f} ms, médiane "
        f"de {len(setup['open_runs'])} ({spread(setup['open_runs'], ' ms')}){notified}".replace(
            "_", " "
        ),
        flush=True,
    )
    if args.open_only:
        result = pages.describe_database() | setup | {"kind": args.kind, "load": setup["load"]}
        Path(args.child).write_text(json.dumps(result))
        return 0
    needed = args.warmup + args.stances + args.changes + 20 * args.reads + 1000
    tokens = voter_tokens(setup["decision"], needed)
    session, reader_token = pages.credentials()
    decision_id = setup["decision"]
    choice = "yes" if args.kind == "yes_no" else "consent"
    requests = {
        "bare_read": ("GET", "/bench/bare/", {}, None),
        "bare_insert": ("POST", "/bench/bare/insert", {}, b""),
        "page": ("GET", f"/decisions/{decision_id}/", cookie(session), None),
        "tally": ("GET", f"/api/v1/decisions/{decision_id}/tally", bearer(reader_token), None),
    }
    changed = "no" if args.kind == "yes_no" else "concern"
    queries = {name: count_queries(*request) for name, request in requests.items()}
    token = tokens.pop()
    queries["stance_change"] = count_queries(
        *stance_request(decision_id, token, changed, "Réflexion faite."),
        warm=stance_request(decision_id, token, choice),
    )
    # A first stance: warmed by another member's, so that the one counted is an INSERT too.
    queries["stance"] = count_queries(
        *stance_request(decision_id, tokens.pop(), choice),
        warm=stance_request(decision_id, tokens.pop(), choice),
    )
    connection.close()

    load_before = os.getloadavg()[0]
    # Two granian servers of one process each, on the same database: the reads and the
    # sequential writes go to the first, the stances arriving meanwhile to the second, so
    # that a read never queues behind a write in the same process.
    port, writer_port = pages.free_port(), pages.free_port()
    servers = [pages.start_server(port), pages.start_server(writer_port)]
    timings = {}
    try:
        driver = Driver(port)
        # The writes in `--runs` rounds, each measuring its floor (the bare insert) just
        # before its stances: every ratio divides figures taken in the same conditions.
        per_run = max(1, args.stances // args.runs)
        changes_per_run = max(1, args.changes // args.runs)
        runs = {"bare_insert": [], "stance": [], "stance_change": []}
        for run in range(args.runs):
            warmup = args.warmup if run == 0 else 0
            runs["bare_insert"].append(driver.series(requests["bare_insert"], per_run, warmup))
            used = [tokens.pop() for _ in range(per_run + warmup)]
            runs["stance"].append(
                driver.series(
                    [stance_request(decision_id, token, choice) for token in used], None, warmup
                )
            )
            runs["stance_change"].append(
                driver.series(
                    [
                        stance_request(decision_id, token, changed, "Réflexion faite.")
                        for token in used[warmup:]
                    ][:changes_per_run],
                    None,
                    0,
                )
            )
        for name, series in runs.items():
            timings[name] = merged(series)
        for name in ("stance", "stance_change"):
            timings[name]["ratios"] = [
                one["median"] / floor["median"]
                for one, floor in zip(runs[name], runs["bare_insert"], strict=True)
            ]
        reads = {name: requests[name] for name in ("bare_read", "page", "tally")}
        timings |= driver.in_runs(reads, args.reads, args.warmup, args.runs)
        # The same reads while stances keep arriving, one at a time, on the other server.
        writer = Writer(writer_port, decision_id, tokens, choice)
        writer.start()
        try:
            timings |= driver.in_runs(reads, args.reads, 0, args.runs, "_while_voting")
        finally:
            writer.stop()
        timings["stance_while_reading"] = pages.summary(writer.latencies, writer.failures)
        # Late in the vote: nine in ten have spoken, and every count runs over them.
        filled = fill_stances(decision_id, args.kind, FULL_SHARE)
        print(f"  {filled:_} positions ajoutées directement".replace("_", " "), flush=True)
        timings |= driver.in_runs(reads, args.reads, args.warmup, args.runs, "_late")
    finally:
        for server in servers:
            pages.stop_server(server)
    for name, timing in timings.items():
        print(
            f"  {name:<22} {timing['median']:7.1f} ms médiane, {timing['p95']:7.1f} ms p95 "
            f"({timing['count']} requêtes, {timing['failed']} échecs)",
            flush=True,
        )
    for name in ("stance", "stance_change"):
        ratios = timings[name]["ratios"]
        print(
            f"  {name:<22} {queries[name]} requêtes SQL (cible ≤ {STANCE_QUERIES_TARGET}), "
            f"{statistics.median(ratios):.2f}× l'insertion nue (cible ≤ {STANCE_RATIO_TARGET}; "
            f"séries {min(ratios):.2f}–{max(ratios):.2f})",
            flush=True,
        )
    stances = count_stances(decision_id)
    load = (load_before, os.getloadavg()[0])
    result = pages.describe_database() | {
        "kind": args.kind,
        "eligible": setup["eligible"],
        "open_ms": setup["open_ms"],
        "open_runs": setup["open_runs"],
        "open_load": setup["load"],
        "notify_ms": setup["notify_ms"],
        "notifications": setup["notifications"],
        "stances_at_end": stances,
        "queries": queries,
        "timings": timings,
        "load": load,
    }
    Path(args.child).write_text(json.dumps(result))
    return 0


def open_decision(kind: str, openings: int, notify: bool = True) -> dict:
    """Decisions among every active member, opened one after the other (each timed); the
    last one goes on to its objection round for consent, then its notifications (timed)."""
    from django.utils import timezone

    from bench.generate import OFFICER_EMAIL
    from commun.decisions import tasks
    from commun.decisions.models import Decision
    from commun.deliberation.models import Notification, Space
    from commun.members.models import Member

    officer = Member.objects.get(user__email=OFFICER_EMAIL)
    thread = Space.objects.cooperative().start_thread(
        officer, "Adhérer à la fédération des SCIC", "Une décision de toute la coopérative."
    )
    load_before = os.getloadavg()[0]
    open_runs = []
    for _ in range(max(1, openings)):
        decision = Decision.objects.propose(
            thread=thread,
            author=officer,
            kind=kind,
            title="Adhérer à la fédération des SCIC du numérique",
            body="Nous adhérons à la fédération régionale (300 € par an).",
            min_deliberation=datetime.timedelta(0),
            closes_at=timezone.now() + datetime.timedelta(days=30),
            quorum_percent=10,
        )
        started = time.perf_counter()
        decision.open()
        open_runs.append((time.perf_counter() - started) * 1000)
    load = (load_before, os.getloadavg()[0])
    if kind == "consent":
        decision.advance(officer)
        decision.advance(officer)
    notify_ms = 0.0
    if notify:  # what the worker does once the opening is committed
        started = time.perf_counter()
        tasks.tell_eligible.call(decision.pk, decision.current_round.number)
        notify_ms = (time.perf_counter() - started) * 1000
    return {
        "decision": decision.pk,
        "eligible": decision.eligible.count(),
        "open_ms": statistics.median(open_runs),
        "open_runs": open_runs,
        "load": load,
        "notify_ms": notify_ms,
        "notifications": Notification.objects.filter(decision=decision).count(),
    }


def voter_tokens(decision_id: int, count: int) -> list[str]:
    """API tokens of `count` eligible members, the reader and the author left out.

    Marked as used (an hour ahead): the first call of a token would otherwise also write
    its `last_used_at` (throttled to once a minute), which is not the stance's cost.
    """
    import secrets

    from django.utils import timezone

    from bench.generate import MEMBER_EMAIL, OFFICER_EMAIL
    from commun.accounts.models import ApiToken
    from commun.decisions.models import Eligibility

    users = list(
        Eligibility.objects.filter(decision_id=decision_id)
        .exclude(member__user__email__in=[MEMBER_EMAIL, OFFICER_EMAIL])
        .order_by("member_id")
        .values_list("member__user_id", flat=True)[:count]
    )
    secrets_by_user = {user: "cmn_" + secrets.token_urlsafe(32) for user in users}
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user,
                name="bench",
                prefix=secret[:12],
                digest=ApiToken.hash(secret),
                last_used_at=timezone.now() + datetime.timedelta(hours=1),
            )
            for user, secret in secrets_by_user.items()
        ],
        batch_size=1000,
    )
    return list(secrets_by_user.values())[::-1]  # popped from the end: lowest ids first


def fill_stances(decision_id: int, kind: str, share: float) -> int:
    """Stances for the silent, written in bulk (as the tests' `speak()`), up to `share`."""
    import random

    from django.db import connection
    from django.utils import timezone

    from commun.decisions.models import Decision, Eligibility, Stance

    decision = Decision.objects.get(pk=decision_id)
    round = decision.current_round
    wanted = int(decision.eligible_count * share) - round.stances.count()
    silent = (
        Eligibility.objects.filter(decision_id=decision_id)
        .exclude(member_id__in=Stance.objects.filter(round=round).values("member_id"))
        .order_by("member_id")
        .values_list("member_id", flat=True)[: max(0, wanted)]
    )
    choices = ["yes"] * 6 + ["no"] * 3 + ["abstain"] if kind == "yes_no" else ["consent"] * 9
    if kind != "yes_no":
        choices += ["concern", "stand_aside"]
    rng, now = random.Random(1), timezone.now()
    stances = []
    for member_id in silent:
        choice = rng.choice(choices)
        reason = "Attention au coût." if choice == "concern" else ""
        stances.append(
            Stance(
                round=round,
                member_id=member_id,
                choice=choice,
                reason=reason,
                updated_at=now,
            )
        )
    Stance.objects.bulk_create(stances, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE decisions_stance")  # as autovacuum soon would
    connection.close()
    return len(stances)


def count_stances(decision_id: int) -> int:
    from django.db import connection

    from commun.decisions.models import Stance

    count = Stance.objects.filter(round__decision_id=decision_id).count()
    connection.close()
    return count


def cookie(session: str) -> dict:
    from django.conf import settings

    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def stance_request(decision_id: int, token: str, choice: str, reason: str = "") -> tuple:
    body = json.dumps({"choice": choice, "reason": reason}).encode()
    headers = bearer(token) | {"Content-Type": "application/json"}
    return ("PUT", f"/api/v1/decisions/{decision_id}/stance", headers, body)


def count_queries(method: str, path: str, headers: dict, body, warm=None) -> int:
    """SQL queries of one request, in-process, after a first one (or `warm`) warmed the
    caches."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if "Cookie" in headers:
        name, _equals, value = headers["Cookie"].partition("=")
        client.cookies[name] = value

    def send(method, path, headers, body):
        return client.generic(
            method,
            path,
            body or b"",
            content_type=headers.get("Content-Type", "application/octet-stream"),
            headers={k: v for k, v in headers.items() if k not in ("Cookie", "Content-Type")},
        )

    send(*(warm or (method, path, headers, body)))
    with CaptureQueriesContext(connection) as captured:
        response = send(method, path, headers, body)
    assert response.status_code < 400, (path, response.status_code, response.content[:300])
    return len(captured)


# The HTTP side. ---------------------------------------------------------------------------


class Driver(pages.Driver):
    """The bench's driver, with reads in rounds beside their floor."""

    def in_runs(self, requests: dict, count: int, warmup: int, runs: int, suffix="") -> dict:
        """Each request of `requests` `count` times, split into `runs` rounds that take them
        in turn (the bare view first): a page and its floor share each round's conditions."""
        per_run = max(1, count // runs)
        series = {name: [] for name in requests}
        for run in range(runs):
            for name, request in requests.items():
                series[name].append(self.series(request, per_run, warmup if run == 0 else 0))
        timings = {name + suffix: merged(one) for name, one in series.items()}
        for name in requests:
            timings[name + suffix]["ratios"] = [
                one["median"] / floor["median"]
                for one, floor in zip(series[name], series["bare_read"], strict=True)
            ]
        return timings


class Writer(threading.Thread):
    """Casts first stances, one after the other, until stopped."""

    def __init__(self, port: int, decision_id: int, tokens: list[str], choice: str):
        super().__init__(daemon=True)
        self.driver = Driver(port)
        self.decision_id, self.tokens, self.choice = decision_id, tokens, choice
        self.latencies: list[float] = []
        self.failures = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set() and self.tokens:
            request = stance_request(self.decision_id, self.tokens.pop(), self.choice)
            elapsed, status = self.driver.send(*request)
            self.latencies.append(elapsed)
            self.failures += not 200 <= status < 300

    def stop(self):
        self.done.set()
        self.join(timeout=120)


def merged(series: list[dict]) -> dict:
    """Several runs as one figure: the median of their medians, with their spread."""
    medians = [one["median"] for one in series]
    return {
        "median": statistics.median(medians),
        "runs": medians,
        "p95": statistics.median(one["p95"] for one in series),
        "p95s": [one["p95"] for one in series],
        "max": max(one["max"] for one in series),
        "count": sum(one["count"] for one in series),
        "failed": sum(one["failed"] for one in series),
    }


# The report. ------------------------------------------------------------------------------

ROWS = [
    ("bare_read", "vue Django nue, lit une ligne", "GET /bench/bare/"),
    ("bare_insert", "vue Django nue, insère une ligne", "POST /bench/bare/insert"),
    ("stance", "première position (API)", "PUT /api/v1/decisions/{id}/stance"),
    ("stance_change", "changement de position (API)", "PUT /api/v1/decisions/{id}/stance"),
    ("page", "page de la décision", "GET /decisions/{id}/"),
    ("tally", "décompte (API)", "GET /api/v1/decisions/{id}/tally"),
    ("bare_read_while_voting", "vue nue, pendant que des positions arrivent", "GET /bench/bare/"),
    ("page_while_voting", "page, pendant que des positions arrivent", "GET /decisions/{id}/"),
    ("tally_while_voting", "décompte, pendant que des positions arrivent", "GET …/tally"),
    ("stance_while_reading", "position, pendant ces lectures", "PUT …/stance"),
    ("bare_read_late", "vue nue, 90 % se sont prononcé·es", "GET /bench/bare/"),
    ("page_late", "page, 90 % se sont prononcé·es", "GET /decisions/{id}/"),
    ("tally_late", "décompte, 90 % se sont prononcé·es", "GET …/tally"),
]
KINDS = {"yes_no": "un vote pour / contre", "consent": "un tour d'objections"}
QUERIES = {
    "bare_read": "bare_read",
    "bare_insert": "bare_insert",
    "stance": "stance",
    "stance_change": "stance_change",
    "page": "page",
    "tally": "tally",
    "bare_read_while_voting": "bare_read",
    "bare_read_late": "bare_read",
    "page_while_voting": "page",
    "tally_while_voting": "tally",
    "stance_while_reading": "stance",
    "page_late": "page",
    "tally_late": "tally",
}


def markdown(results: list[dict], args) -> str:
    import django

    lines = [
        f"# Commun — une décision à {args.members:_} appelé·es, "
        f"{datetime.date.today():%d/%m/%Y}".replace("_", " "),
        "",
        f"Machine : {os.cpu_count()} cœurs, Django {django.get_version()}"
        + (
            f", {args.openings} ouvertures l'une après l'autre (`--open-only`)."
            if args.open_only
            else ", granian (deux serveurs d'un processus : lectures et écritures en série sur "
            "l'un, positions qui arrivent pendant les lectures sur l'autre), client "
            f"`http.client` séquentiel, une connexion par requête ({args.warmup} requêtes de "
            f"chauffe, puis {args.reads} lectures et {args.stances} positions mesurées, en "
            f"{args.runs} séries ; chaque chiffre est la médiane des séries)."
        ),
        "",
    ]
    for result in results:
        if "timings" not in result:  # --open-only
            lines += [
                f"## {result['database']} — {KINDS[result['kind']]} à {result['eligible']:_} "
                f"appelé·es".replace("_", " "),
                "",
                *opening_target(result),
                "",
            ]
            continue
        timings = result["timings"]
        insert = timings["bare_insert"]["median"]
        lines += [
            f"## {result['database']} — {result['members']:_} associé·es, "
            f"{KINDS[result['kind']]} à {result['eligible']:_} appelé·es".replace("_", " "),
            "",
            f"`Decision.open()` : **{result['open_ms']:.0f} ms** ; tâche de notification "
            f"({result['notifications']:_} notifications) : {result['notify_ms'] / 1000:.1f} s ; "
            f"{result['stances_at_end']:_} positions à la fin. Charge (loadavg 1 min) : "
            f"{result['load'][0]:.1f} → {result['load'][1]:.1f}.".replace("_", " "),
            "",
            "| mesure | requête | requêtes SQL | médiane (ms) | p95 (ms) | × insertion nue "
            "| × lecture nue | échecs |",
            "|---|---|--:|--:|--:|--:|--:|--:|",
        ]
        for key, label, request in ROWS:
            timing = timings[key]
            # Each read divided by the bare view measured in the same phase and rounds.
            read = timings[next(FLOORS[end] for end in FLOORS if key.endswith(end))]["median"]
            queries = result["queries"].get(QUERIES.get(key, ""), "")
            lines.append(
                f"| {label} | `{request}` | {queries} | {timing['median']:.1f} | "
                f"{timing['p95']:.1f} | {timing['median'] / insert:.1f} | "
                f"{timing['median'] / read:.1f} | {timing['failed']}/{timing['count']} |"
            )
        lines += ["", *targets(result), ""]
    return "\n".join(lines)


FLOORS = {"_while_voting": "bare_read_while_voting", "_late": "bare_read_late", "": "bare_read"}
STANCE_QUERIES_TARGET, STANCE_RATIO_TARGET, OPEN_MS_TARGET, PAGE_P95_TARGET = 6, 2.5, 300, 100


def spread(values: list[float], unit: str = "") -> str:
    return f"{min(values):.1f}{unit}–{max(values):.1f}{unit}"


def verdict(ok: bool) -> str:
    return "atteint" if ok else "**pas atteint**"


def opening_target(result: dict, header: bool = True) -> list[str]:
    """`Decision.open()`: the median of the openings, their spread, next to the target."""
    # The target is set for 100,000 members on PostgreSQL: a smaller run says nothing of it.
    judged = result["database"].startswith("PostgreSQL") and result["eligible"] >= 95_000
    target = "≤ 300 ms (PostgreSQL, 100 000)"
    shown = verdict(result["open_ms"] <= OPEN_MS_TARGET) if judged else "non jugé à cette échelle"
    runs = result.get("open_runs") or [result["open_ms"]]
    load = result.get("open_load") or result.get("load")
    lines = ["| cible | mesure | écart des séries | cible | verdict |", "|---|--:|--:|--:|---|"]
    return [
        *(lines if header else []),
        f"| `Decision.open()` ({result['eligible']:_} appelé·es, médiane de {len(runs)} ; "
        f"charge {load[0]:.1f} → {load[1]:.1f}) | {result['open_ms']:.0f} ms | "
        f"{spread(runs, ' ms')} | {target} | {shown} |".replace("_", " "),
    ]


def targets(result: dict) -> list[str]:
    """Each figure the issue sets a target for, next to that target."""
    timings, queries = result["timings"], result["queries"]
    lines = [
        "| cible | mesure | écart des séries | cible | verdict |",
        "|---|--:|--:|--:|---|",
    ]
    for key, label in (("stance", "première position"), ("stance_change", "changement")):
        ratios = timings[key]["ratios"]
        ratio = statistics.median(ratios)
        lines += [
            f"| {label} : requêtes SQL | {queries[key]} | | ≤ {STANCE_QUERIES_TARGET} | "
            f"{verdict(queries[key] <= STANCE_QUERIES_TARGET)} |",
            f"| {label} : × insertion nue (médiane de {len(ratios)} séries) | {ratio:.1f} | "
            f"{spread(ratios, '×')} | ≤ {STANCE_RATIO_TARGET} | "
            f"{verdict(ratio <= STANCE_RATIO_TARGET)} |",
        ]
    floor = timings["bare_insert"]["runs"]
    lines.append(
        f"| insertion nue (ms, médiane de {len(floor)} séries) | "
        f"{statistics.median(floor):.1f} | {spread(floor, ' ms')} | | |"
    )
    for key, label in (
        ("page", "page de la décision"),
        ("page_while_voting", "page, pendant que des positions arrivent"),
        ("page_late", "page, 90 % se sont prononcé·es"),
    ):
        p95s = timings[key]["p95s"]
        lines.append(
            f"| {label} : p95 (ms, médiane de {len(p95s)} séries) | {timings[key]['p95']:.1f} | "
            f"{spread(p95s, ' ms')} | < {PAGE_P95_TARGET} ms | "
            f"{verdict(timings[key]['p95'] < PAGE_P95_TARGET)} |"
        )
    return lines + opening_target(result, header=False)


if __name__ == "__main__":
    sys.exit(main())
