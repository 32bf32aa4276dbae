"""Time the public board with 100,000 tasks.

    .venv/bin/python -m bench.board                                    # SQLite, then PostgreSQL
    .venv/bin/python -m bench.board --databases sqlite --tasks 10000 --requests 50 --runs 3

For each database: a small generated cooperative (bench/generate.py, for a member's session
and token), then `fill` (below) writes the tasks in bulk, and the board's pages are timed
under granian like bench/run.py: the board, filtered by need, label, assignee and state,
the list's first and a deep page, a task's page, « Mes tâches » and the tasks API.
Writes bench/out/board-latest.md.
"""

import argparse
import datetime
import json
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings")
# Throwaway databases: a key drawn per run (the settings refuse to start without one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
OUT = ROOT / "bench" / "out"
BATCH = 10_000
NEEDS = 40
MISSIONS = 20
LABELS = 30
ASSIGNEES = 2_000  # the members who take tasks, among the generated ones
MINE = 150  # tasks the bench's member took: more than « Mes tâches » shows
# States drawn by weight: a board that has lived, most of its work behind it.
STATES = [("todo", 15), ("doing", 10), ("done", 5), ("validated", 60), ("abandoned", 10)]


def fill(count: int, seed: int = 1, progress=None) -> dict:
    """Write `count` tasks on NEEDS needs (half of them funded by one of MISSIONS missions),
    with labels, assignees and a history row or two each, as the model methods would have.

    Rows are bulk-inserted (the model methods lock and check one task at a time: hours
    for 100,000). Django must be set up and the generated cooperative loaded.
    """
    from django.db import transaction
    from django.utils import timezone

    from bench.generate import MEMBER_EMAIL
    from commun.board.models import Assignment, Label, Task, TaskChange
    from commun.budgets.models import Mission, Need
    from commun.members.models import Member
    from commun.testing.budgets import invoice

    rng = random.Random(seed)
    started = time.monotonic()
    me = Member.objects.get(user__email=MEMBER_EMAIL)
    takers = list(Member.objects.active().exclude(pk=me.pk).values_list("pk", flat=True))
    takers = takers[:ASSIGNEES]
    needs = [
        Need.objects.raise_need(
            me.user, title=f"Besoin n°{i}", description="Ce qui manque à la coopérative."
        )
        for i in range(1, NEEDS + 1)
    ]
    missions = [
        Mission.objects.propose(me.user, needs[i % NEEDS], **invoice(100_000, title=f"Mission {i}"))
        for i in range(1, MISSIONS + 1)
    ]
    Label.objects.bulk_create([Label(name=f"étiquette-{i}") for i in range(1, LABELS + 1)])
    labels = list(Label.objects.values_list("pk", flat=True))
    states = [state for state, _weight in STATES]
    weights = [weight for _state, weight in STATES]
    now = timezone.now()
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            tasks = []
            for index in range(done, done + size):
                mission = rng.choice(missions) if rng.random() < 0.5 else None
                need = mission.need if mission else rng.choice(needs)
                state = rng.choices(states, weights)[0]
                if index >= count - MINE:
                    state = rng.choice(["doing", "done"])
                tasks.append(
                    Task(
                        title=f"Tâche n°{index + 1}",
                        description="Ce qu'il faut faire, **en Markdown**.",
                        state=state,
                        need=need,
                        mission=mission,
                        due_on=(now + datetime.timedelta(days=rng.randint(-300, 300))).date()
                        if rng.random() < 0.3
                        else None,
                        links=[f"https://forge.example/coop/issues/{index + 1}"]
                        if rng.random() < 0.4
                        else [],
                        slots=rng.choice([1, 1, 1, 2, 3]),
                        created_by=me,
                        created_at=now,
                        changed_at=now,
                    )
                )
            Task.objects.bulk_create(tasks)
            if tasks[0].pk is None:  # SQLite before RETURNING: read the ids back
                ids = Task.objects.order_by("-pk").values_list("pk", flat=True)[:size]
                for task, pk in zip(tasks, sorted(ids), strict=True):
                    task.pk = pk
            tagged, assigned, history = [], [], []
            for offset, task in enumerate(tasks):
                for label in rng.sample(labels, rng.randint(0, 3)):
                    tagged.append(Task.labels.through(task_id=task.pk, label_id=label))
                history.append(
                    TaskChange(task=task, by=me, at=now, kind="created", to_state="todo")
                )
                if task.state == "todo":
                    continue
                mine = done + offset >= count - MINE
                taker = me.pk if mine else rng.choice(takers)
                if task.state != "abandoned" or rng.random() < 0.5:
                    assigned.append(Assignment(task=task, member_id=taker, taken_at=now))
                history.append(
                    TaskChange(
                        task=task,
                        by_id=taker,
                        at=now,
                        kind="took",
                        from_state="todo",
                        to_state=task.state,
                    )
                )
            Task.labels.through.objects.bulk_create(tagged)
            Assignment.objects.bulk_create(assigned)
            TaskChange.objects.bulk_create(history)
        done += size
        if progress:
            progress(done, time.monotonic() - started)
    _analyze()
    return {"tasks": done, "seconds": time.monotonic() - started}


def _analyze():
    """PostgreSQL's statistics, as autovacuum would have them within minutes."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# The benchmark ---------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=100, help="mesurées, par page")
    parser.add_argument("--warmup", type=int, default=10, help="non mesurées, avant")
    parser.add_argument(
        "--runs", type=int, default=5, help="séries, chaque page après la vue nue (médiane)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: one step, JSON out
    parser.add_argument("--step", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    from bench import run

    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for database in args.databases.split(","):
        print(f"\n=== {database} ===", flush=True)
        if database == "sqlite":
            path = OUT / f"board-{args.tasks}.sqlite3"
            for stale in OUT.glob(f"{path.name}*"):
                stale.unlink()
            results.append(bench_database(f"sqlite:///{path}", args, run))
        elif database == "postgres":
            from commun.testing.pgcluster import throwaway_cluster

            with throwaway_cluster(durable=True) as url:  # it writes: production's fsync
                results.append(bench_database(url, args, run))
        else:
            print(f"Base inconnue : {database} (sqlite ou postgres)", file=sys.stderr)
            return 2
    report = markdown(results, args)
    (OUT / "board-latest.md").write_text(report)
    (OUT / "board-latest.json").write_text(json.dumps(results, indent=2))
    print("\n" + report)
    return 0


def bench_database(url: str, args, run) -> dict:
    run.generate(url, args.members)
    filled = step(url, "fill", args, run)
    print(f"  {filled['tasks']:_} tâches : remplissage {filled['seconds']:.0f} s", flush=True)
    return {"fill_seconds": filled["seconds"], **step(url, "pages", args, run)}


def step(url: str, what: str, args, run) -> dict:
    output = OUT / "board-child.json"
    command = [sys.executable, "-m", "bench.board", "--child", str(output), "--step", what]
    command += ["--tasks", str(args.tasks), "--requests", str(args.requests)]
    command += ["--warmup", str(args.warmup), "--runs", str(args.runs)]
    subprocess.run(command, env=run.server_env(url), check=True, cwd=ROOT)
    return json.loads(output.read_text())


def child(args) -> int:
    import django

    django.setup()
    if args.step == "fill":

        def progress(done, seconds):
            if done % 20_000 == 0 or done == args.tasks:
                print(f"    {done:_} tâches en {seconds:.0f} s", flush=True)

        result = fill(args.tasks, progress=progress)
    else:
        result = pages(args)
    Path(args.child).write_text(json.dumps(result, default=str))
    return 0


def measured_pages(session: str, token: str) -> list[dict]:
    """The board's pages, as a visitor reads them, and a member's own."""
    from django.conf import settings

    from bench.generate import MEMBER_EMAIL
    from commun.board.models import Assignment, Task
    from commun.budgets.models import Need

    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    bearer = f"Bearer {token}"
    need = Need.objects.order_by("pk").values_list("pk", flat=True)[NEEDS // 2]
    taker = (
        Assignment.objects.exclude(member__user__email=MEMBER_EMAIL)
        .order_by("pk")
        .values_list("member__number", flat=True)
        .first()
    )
    ids = Task.objects.order_by("pk").values_list("pk", flat=True)
    deep = ids[len(ids) // 100]  # 99 % of the tasks are newer: the list's last pages
    task = ids[len(ids) // 2]
    return [
        {"name": "vue Django nue (1 ligne)", "path": "/bench/bare/"},
        {"name": "tableau (visiteur)", "path": "/tableau/"},
        # "Tous" in the state filter: the same board, a path of its own for the timing.
        {"name": "tableau (associé·e)", "path": "/tableau/?state=", "cookie": cookie},
        {"name": "tableau, un besoin", "path": f"/tableau/?need={need}"},
        {"name": "tableau, une étiquette", "path": "/tableau/?label=%C3%A9tiquette-7"},
        {
            "name": "tableau, une personne (associé·e)",
            "path": f"/tableau/?assignee={taker}",
            "cookie": cookie,
        },
        {"name": "tableau, état « fait »", "path": "/tableau/?state=done"},
        {"name": "liste, page 1", "path": "/tableau/liste/"},
        {"name": "liste, page profonde", "path": f"/tableau/liste/?apres={deep}"},
        {"name": "liste, une étiquette", "path": "/tableau/liste/?label=%C3%A9tiquette-7"},
        {"name": "une tâche", "path": f"/tableau/taches/{task}/"},
        {"name": "mes tâches", "path": "/tableau/mes-taches/", "cookie": cookie},
        {"name": "API tâches", "path": "/api/v1/tasks", "authorization": bearer},
        {
            "name": "API tâches, page profonde",
            "path": f"/api/v1/tasks?after={deep}",
            "authorization": bearer,
        },
        {
            "name": "API tâches, une étiquette",
            "path": "/api/v1/tasks?label=%C3%A9tiquette-7",
            "authorization": bearer,
        },
    ]


def pages(args) -> dict:
    from bench import run

    session, token = run.credentials()
    return run.serve_and_time(measured_pages(session, token), args)


def markdown(results: list[dict], args) -> str:
    from bench import run

    lines = [
        f"# Commun — le tableau, mesures du {datetime.date.today():%d/%m/%Y}",
        "",
        f"Machine : {os.cpu_count()} cœurs, granian (un processus), client séquentiel "
        f"({args.warmup} requêtes de chauffe puis {args.requests} mesurées par page, en "
        f"{args.runs} séries où chaque page suit la vue nue ; médiane des séries). "
        f"{args.tasks:_} tâches sur {NEEDS} besoins et {MISSIONS} missions, "
        f"{LABELS} étiquettes, {args.members:_} associé·es. "
        "PostgreSQL avec les réglages de durabilité de production.".replace("_", " "),
        "",
    ]
    for result in results:
        lines += [
            f"## {result['database']}",
            "",
            f"Remplissage : {result['fill_seconds']:.0f} s. Charge (loadavg) : "
            f"{result['load'][0]:.1f} → {result['load'][1]:.1f}.",
            "",
            *run.page_table(result["pages"]),
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
