"""Time backups and restores of a 5-million-row cooperative, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.backup                                  # SQLite, then PostgreSQL
    .venv/bin/python -m bench.backup --databases postgres --transactions 100000 --members 10000

The dataset: the members' cooperative of bench/generate.py (`--members`, 100,000 by
default) and a ledger of `--transactions` (1,000,000 by default, filled as bench/ledger.py
does): about 5 million rows in all. Then each way of backing it up that the docs give,
each step in a process of its own, timed, with its rows per second and its peak memory
(`ru_maxrss` of the process and the children it waited for; PostgreSQL's own server
processes are not counted):

- `commun backup` then `commun restore` into a new, empty database (docs/backup.md), on
  both databases;
- on PostgreSQL, what docs/self-hosting.md gives: `pg_dump --format=custom`, then into a
  new database `pg_restore --no-owner --jobs=N` and `commun migrate`.

Each restore is checked: every table holds as many rows as the original. PostgreSQL runs
in a throwaway cluster with production's durability settings. Writes
bench/out/backup-latest.md.
"""

import argparse
import datetime
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from bench import run  # noqa: E402

OUT = run.OUT
RESTORE_TARGET_SECONDS = 300  # "restore of that dataset under 5 minutes here" (issue 13)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument(
        "--paths",
        default="commun,pg_dump",
        help="commun (commun backup / restore), pg_dump (pg_dump / pg_restore, PostgreSQL)",
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="pg_restore --jobs (les cœurs)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: fill or count
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    OUT.mkdir(parents=True, exist_ok=True)
    paths = args.paths.split(",")
    results = []
    for database in args.databases.split(","):
        print(f"\n=== {database} ===", flush=True)
        if database == "sqlite":
            source = OUT / "backup-source.sqlite3"
            target = OUT / "backup-restored.sqlite3"
            for stale in [*OUT.glob(f"{source.name}*"), *OUT.glob(f"{target.name}*")]:
                stale.unlink()
            url = f"sqlite:///{source}"
            result = build(url, args)
            if "commun" in paths:
                result["paths"].append(commun_path(url, f"sqlite:///{target}", result["rows"]))
            results.append(result)
        elif database == "postgres":
            from commun.testing.pgcluster import find_bin_dir, throwaway_cluster

            with throwaway_cluster(durable=True) as url:
                result = build(url, args)
                for path in paths:  # in the order asked
                    rows = result["rows"]
                    if path == "commun":
                        target = new_database(url, "commun_restored")
                        result["paths"].append(commun_path(url, target, rows))
                    elif path == "pg_dump":
                        target = new_database(url, "pg_restored")
                        bin_dir = find_bin_dir()
                        result["paths"].append(pg_dump_path(url, target, rows, bin_dir, args.jobs))
                results.append(result)
        else:
            print(f"Base inconnue : {database} (sqlite ou postgres)", file=sys.stderr)
            return 2
    report = markdown(results, args)
    run.write_report(OUT, "backup", "backup-latest.md", report, results)
    return 0


def build(url: str, args) -> dict:
    """The dataset: the generated cooperative, then its ledger; its rows, table by table."""
    run.generate(url, args.members)
    started = time.monotonic()
    in_child(url, "fill", "--transactions", str(args.transactions))
    print(f"Grand livre : {time.monotonic() - started:.0f} s", flush=True)
    rows = in_child(url, "count")
    total = sum(rows.values())
    print(f"{total:_} lignes dans {len(rows)} tables".replace("_", " "), flush=True)
    return {
        "database": in_child(url, "describe")["database"],
        "rows": rows,
        "total": total,
        "load": os.getloadavg()[0],
        "paths": [],
    }


def commun_path(url: str, target: str, rows: dict) -> dict:
    """`commun backup`, then `commun restore` into an empty database (docs/backup.md)."""
    archive = OUT / "backup.zip"
    archive.unlink(missing_ok=True)
    total = sum(rows.values())
    dump = timed([sys.executable, "-m", "commun.cli", "backup", str(archive)], url, total)
    dump["bytes"] = archive.stat().st_size
    restore = timed([sys.executable, "-m", "commun.cli", "restore", str(archive)], target, total)
    archive.unlink()
    return described("commun backup / commun restore", dump, restore, check(target, rows))


def pg_dump_path(url: str, target: str, rows: dict, bin_dir: Path, jobs: int) -> dict:
    """docs/self-hosting.md, « Sauvegarder et restaurer », PostgreSQL."""
    dump_file = OUT / "backup.dump"
    dump_file.unlink(missing_ok=True)
    total = sum(rows.values())
    pg_dump = [str(bin_dir / "pg_dump"), "--format=custom", f"--file={dump_file}", url]
    dump = timed(pg_dump, url, total)
    dump["bytes"] = dump_file.stat().st_size
    pg_restore = [str(bin_dir / "pg_restore"), "--no-owner", f"--jobs={jobs}"]
    restore = timed([*pg_restore, f"--dbname={target}", str(dump_file)], target, total)
    # The documented restore ends with `commun migrate` (nothing to do on the same version).
    migrate = timed([sys.executable, "-m", "commun.cli", "migrate", "--verbosity=0"], target, 0)
    # Both parts are kept apart too: pg_restore's memory is its own, migrate's is Django's.
    restore["pg_restore"] = dict(restore)
    restore["migrate"] = migrate
    restore["seconds"] += migrate["seconds"]
    restore["rows_per_second"] = total / restore["seconds"]
    restore["peak_mb"] = max(restore["peak_mb"], migrate["peak_mb"])
    dump_file.unlink()
    label = f"pg_dump --format=custom / pg_restore --jobs={jobs} + commun migrate"
    return described(label, dump, restore, check(target, rows))


def described(label: str, dump: dict, restore: dict, mismatches: list[str]) -> dict:
    for what, step in (("sauvegarde", dump), ("restauration", restore)):
        rate = f"{step['rows_per_second']:_.0f}".replace("_", " ")
        print(
            f"  {label} — {what} : {step['seconds']:.1f} s, {rate} lignes/s, "
            f"pic {step['peak_mb']:.0f} Mo",
            flush=True,
        )
    if mismatches:
        print("  LIGNES DIFFÉRENTES après restauration : " + ", ".join(mismatches), flush=True)
    return {"path": label, "dump": dump, "restore": restore, "mismatches": mismatches}


def timed(command: list[str], url: str, rows: int) -> dict:
    """Run `command` against `url`; its time, rate and peak memory (its own children's
    included: wait4 reports the largest resident set among them)."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=run.server_env(url), cwd=ROOT)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return {
        "seconds": seconds,
        "rows_per_second": rows / seconds if seconds else 0,
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
    }


def check(target: str, rows: dict) -> list[str]:
    restored = in_child(target, "count")
    return [
        f"{table} ({count} → {restored.get(table)})"
        for table, count in rows.items()
        if restored.get(table) != count
    ]


def new_database(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def in_child(url: str, what: str, *extra: str) -> dict:
    output = OUT / "backup-child.json"
    command = [sys.executable, "-m", "bench.backup", "--child", f"{what},{output}", *extra]
    subprocess.run(command, env=run.server_env(url), check=True, cwd=ROOT)
    return json.loads(output.read_text())


# The child: fill the ledger, count rows. ---------------------------------------------------


def child(args) -> int:
    import django

    django.setup()
    what, output = args.child.split(",", 1)
    if what == "fill":
        from bench.ledger import fill

        def progress(done, seconds):
            if done % 200_000 == 0:
                print(f"    {done:_} écritures en {seconds:.0f} s", flush=True)

        fill(args.transactions, progress=progress)
        result = {}
    elif what == "count":
        result = count_rows()
    else:
        result = run.describe_database()
    Path(output).write_text(json.dumps(result))
    return 0


def count_rows() -> dict:
    """Rows of every table of the project's models (what a restore must bring back)."""
    from django.apps import apps
    from django.db import connection

    tables = sorted({model._meta.db_table for model in apps.get_models()})
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


# The report. ------------------------------------------------------------------------------


def markdown(results: list[dict], args) -> str:
    lines = [
        f"# Commun — sauvegardes, mesures du {datetime.date.today():%d/%m/%Y}",
        "",
        f"Machine : {os.cpu_count()} cœurs. Jeu de données : {args.members:_} associé·es "
        f"(bench/generate.py) et {args.transactions:_} écritures (bench/ledger.py). ".replace(
            "_", " "
        )
        + "Mémoire : pic du processus et des enfants qu'il attend (`ru_maxrss`), sans le "
        "serveur PostgreSQL. PostgreSQL avec les réglages de durabilité de production.",
        "",
    ]
    for result in results:
        lines += [
            f"## {result['database']} — {result['total']:_} lignes, "
            f"{len(result['rows'])} tables (charge {result['load']:.1f})".replace("_", " "),
            "",
            "| chemin | étape | durée (s) | lignes/s | pic mémoire (Mo) | taille (Mo) "
            "| cible | lignes restaurées |",
            "|---|---|--:|--:|--:|--:|---|---|",
        ]
        for path in result["paths"]:
            for what, step in (("sauvegarde", path["dump"]), ("restauration", path["restore"])):
                size = f"{step['bytes'] / 2**20:.0f}" if "bytes" in step else ""
                target = ""
                if what == "restauration":
                    ok = step["seconds"] < RESTORE_TARGET_SECONDS
                    target = f"< {RESTORE_TARGET_SECONDS} s : " + (
                        "atteinte" if ok else "**pas atteinte**"
                    )
                checked = (
                    ""
                    if what == "sauvegarde"
                    else (
                        "toutes"
                        if not path["mismatches"]
                        else "**" + ", ".join(path["mismatches"]) + "**"
                    )
                )
                lines.append(
                    f"| {path['path']} | {what} | {step['seconds']:.1f} | "
                    f"{step['rows_per_second']:.0f} | {step['peak_mb']:.0f} | {size} | {target} "
                    f"| {checked} |"
                )
        for path in result["paths"]:
            if "pg_restore" in path["restore"]:
                alone, migrate = path["restore"]["pg_restore"], path["restore"]["migrate"]
                lines += [
                    "",
                    f"Dont `pg_restore` seul : {alone['seconds']:.1f} s, pic "
                    f"{alone['peak_mb']:.0f} Mo ; `commun migrate` : {migrate['seconds']:.1f} s, "
                    f"pic {migrate['peak_mb']:.0f} Mo.",
                ]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
