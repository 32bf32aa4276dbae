"""Time the ledger's pages and exports with 1,000,000 transactions.

    .venv/bin/python -m bench.ledger                                  # SQLite, then PostgreSQL
    .venv/bin/python -m bench.ledger --databases sqlite --sizes 100000 --requests 50

For each database: a small generated cooperative (bench/generate.py, for a member's
session and token), then the ledger filled to each size in turn (`fill`, below). At each
size: every export's rate and peak memory (a subprocess each, `ru_maxrss`), then the
public accounts page, the transaction list (first and last page), one balance and the
transactions API, timed under granian like bench/run.py. Writes
bench/out/ledger-latest.md.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import resource
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
FIRST_DAY = datetime.date(2021, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
EXPORT_YEAR = 2025
MISSIONS = 40

# Kinds of transaction, drawn by weight: (weight, label, postings for an amount `a`).
# Two to four postings, 2.5 on average; every one balances whatever `a` is.
KINDS = [
    (20, "Facture client", lambda a, m: [("512", a + a // 5), ("706", -a), ("44571", -(a // 5))]),
    (20, "Achat", lambda a, m: [("604", a), ("44566", a // 5), ("512", -(a + a // 5))]),
    (20, "Frais bancaires", lambda a, m: [("627", a), ("512", -a)]),
    (10, "Salaire", lambda a, m: [("641", a), ("421", -a)]),
    (10, "Versement du salaire", lambda a, m: [("421", a), ("512", -a)]),
    (8, "Engagement de la mission", lambda a, m: [("1068-DISPO", a), (m, -a)]),
    (6, "Subvention", lambda a, m: [("512", a), ("74", -a)]),
    (
        6,
        "Dépense de la mission",
        lambda a, m: [("611", a), ("512", -a), (m, a), ("789", -a)],
    ),
]
REVERSAL_RATE = 0.01


def fill(count: int, seed: int = 1, progress=None) -> dict:
    """Append `count` transactions to the books, fast, as `record()` would have booked them.

    Rows are written in bulk (COPY on PostgreSQL, executemany on SQLite) with their journal
    entries chained in Python, so `commun verify` accepts the export; the monthly totals
    are rebuilt at the end. Django must be set up; the ledger may already hold rows.
    """
    from django.db import connection, transaction
    from django.db.models import Max

    from commun.ledger import journal
    from commun.ledger.models import Account, Books, JournalEntry, Posting, Transaction

    rng = random.Random(seed)
    Account.objects.load_chart()
    missions = [
        Account.objects.mission_commitment(f"M{i}", f"Mission n°{i}").code
        for i in range(1, MISSIONS + 1)
    ]
    accounts = dict(Account.objects.values_list("code", "pk"))
    weights = [kind[0] for kind in KINDS]
    span = (LAST_DAY - FIRST_DAY).days
    started = time.monotonic()
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            # Serialises with every other write to the books, as record() does.
            books = Books.locked()
            next_id = (Transaction.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            next_posting_id = (Posting.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            next_entry_id = (JournalEntry.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            transactions, postings, entries = [], [], []
            reversible = []  # (id, number, postings) of this batch, not yet reversed
            for _ in range(size):
                number = books.last_transaction_number + 1
                day = FIRST_DAY + datetime.timedelta(days=span * done // max(count, 1))
                reverses = None
                if reversible and rng.random() < REVERSAL_RATE:
                    reverses = reversible.pop(rng.randrange(len(reversible)))
                    label = f"Contrepassation de l'écriture n°{reverses[1]}"
                    lines = [(code, -cents) for code, cents in reverses[2]]
                else:
                    _weight, name, make = rng.choices(KINDS, weights)[0]
                    amount = rng.randint(500, 500_000)
                    lines = make(amount, rng.choice(missions))
                    label = f"{name} n°{number}"
                row = Transaction(
                    id=next_id,
                    number=number,
                    date=day,
                    label=label,
                    idempotency_key=f"bench-{number}",
                    request_digest=_request_digest(day, label, lines, reverses),
                    recorded_at=datetime.datetime.combine(day, datetime.time(12), datetime.UTC),
                )
                if reverses is not None:
                    row.reverses = Transaction(id=reverses[0], number=reverses[1])
                else:
                    reversible.append((next_id, number, lines))
                transactions.append(row)
                for code, cents in lines:
                    postings.append((next_posting_id, next_id, accounts[code], cents))
                    next_posting_id += 1
                sequence = books.journal_length + 1
                payload = row.journal_payload(lines)
                previous = books.journal_head_hash
                books.journal_head_hash = journal.entry_hash(
                    sequence, "transaction", f"transaction-{number}", payload, previous
                )
                entries.append(
                    (
                        next_entry_id,
                        sequence,
                        "transaction",
                        f"transaction-{number}",
                        journal.canonical_json(payload),
                        previous,
                        books.journal_head_hash,
                        row.recorded_at,
                    )
                )
                books.journal_length = sequence
                books.last_transaction_number = number
                next_id += 1
                next_entry_id += 1
                done += 1
            _insert_transactions(connection, transactions)
            _insert(
                connection,
                Posting,
                ["id", "transaction_id", "account_id", "amount_cents"],
                postings,
            )
            _insert(
                connection,
                JournalEntry,
                [
                    "id",
                    "sequence",
                    "kind",
                    "ref",
                    "payload_json",
                    "previous_hash",
                    "hash",
                    "recorded_at",
                ],
                entries,
            )
            books.save(
                update_fields=["last_transaction_number", "journal_length", "journal_head_hash"]
            )
        if progress:
            progress(done, time.monotonic() - started)
    _reset_sequences(connection)
    totals = _rebuild_monthly_totals()
    return {"transactions": done, "seconds": time.monotonic() - started, "monthly_totals": totals}


def _request_digest(day, label, lines, reverses) -> str:
    """The same digest as `commun.ledger.models.request_digest` (no model instance needed)."""
    from commun.lib.hashing import canonical_json

    body = {
        "date": day.isoformat(),
        "label": label,
        "postings": [[code, cents] for code, cents in lines],
        "reverses": reverses[1] if reverses else None,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def _insert_transactions(connection, transactions):
    """Every concrete column, with its model default when `fill` does not set it."""
    from commun.ledger.models import Transaction

    fields = Transaction._meta.concrete_fields
    rows = [
        tuple(_db_value(connection, field, getattr(row, field.attname)) for field in fields)
        for row in transactions
    ]
    _insert(connection, Transaction, [field.column for field in fields], rows)


def _db_value(connection, field, value):
    if value is None and field.has_default():
        value = field.get_default()
    return field.get_db_prep_value(value, connection, prepared=False)


def _insert(connection, model, columns, rows):
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _reset_sequences(connection):
    from django.core.management.color import no_style

    from commun.ledger.models import JournalEntry, Posting, Transaction

    statements = connection.ops.sequence_reset_sql(no_style(), [Transaction, Posting, JournalEntry])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _rebuild_monthly_totals() -> int | None:
    from commun.ledger import models

    monthly = getattr(models, "MonthlyTotal", None)
    if monthly is None or not hasattr(monthly.objects, "rebuild"):
        return None
    return monthly.objects.rebuild()


# The benchmark ---------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sizes", default="100000,1000000", help="transactions, croissants")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100, help="mesurées, par page")
    parser.add_argument("--warmup", type=int, default=10, help="non mesurées, avant")
    parser.add_argument(
        "--runs", type=int, default=5, help="séries, chaque page après la vue nue (médiane)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: one step, JSON out
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    from bench import run

    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.sizes.split(",")]
    results = []
    for database in args.databases.split(","):
        print(f"\n=== {database} ===", flush=True)
        if database == "sqlite":
            path = OUT / f"ledger-{sizes[-1]}.sqlite3"
            for stale in OUT.glob(f"{path.name}*"):
                stale.unlink()
            results.append(bench_database(f"sqlite:///{path}", sizes, args, run))
        elif database == "postgres":
            from commun.testing.pgcluster import throwaway_cluster

            with throwaway_cluster(durable=True) as url:  # it writes: production's fsync
                results.append(bench_database(url, sizes, args, run))
        else:
            print(f"Base inconnue : {database} (sqlite ou postgres)", file=sys.stderr)
            return 2
    report = markdown(results, args)
    (OUT / "ledger-latest.md").write_text(report)
    (OUT / "ledger-latest.json").write_text(json.dumps(results, indent=2))
    print("\n" + report)
    return 0


def bench_database(url: str, sizes: list[int], args, run) -> dict:
    run.generate(url, args.members)
    steps = []
    have = 0
    for size in sizes:
        fill_result = step(url, "fill", size - have, args)
        have = size
        print(f"  {size:_} écritures : remplissage {fill_result['seconds']:.0f} s", flush=True)
        exports = [
            step(url, f"export-{what}", size, args) for what in ("journal", "beancount", "fec")
        ]
        for export in exports:
            print(
                f"    export {export['what']:<9} {export['rows']:>10_} lignes, "
                f"{export['rows_per_second']:>9_.0f} lignes/s, pic {export['peak_mb']:.0f} Mo "
                f"(Django seul : {export['baseline_mb']:.0f} Mo)",
                flush=True,
            )
        verify = step(url, "verify", size, args)
        print(f"    verify : {verify['seconds']:.1f} s, {verify['peak_mb']:.0f} Mo", flush=True)
        pages = step(url, "pages", size, args)
        steps.append(
            {
                "size": size,
                "fill_seconds": fill_result["seconds"],
                "exports": exports,
                "verify": verify,
                **pages,
            }
        )
    return {"database": steps[-1]["database"], "steps": steps}


def step(url: str, what: str, size: int, args) -> dict:
    from bench import run

    output = OUT / "ledger-child.json"
    command = [
        sys.executable,
        "-m",
        "bench.ledger",
        "--child",
        str(output),
        "--step",
        what,
        "--size",
        str(size),
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--runs",
        str(args.runs),
    ]
    subprocess.run(command, env=run.server_env(url), check=True, cwd=ROOT)
    return json.loads(output.read_text())


def child(args) -> int:
    import django

    django.setup()
    baseline_mb = _peak_mb()
    if args.step == "fill":

        def progress(done, seconds):
            if done % 100_000 == 0 or done == args.size:
                print(f"    {done:_} écritures en {seconds:.0f} s", flush=True)

        result = fill(args.size, seed=args.size, progress=progress)
    elif args.step.startswith("export-"):
        result = export(args.step.removeprefix("export-"), baseline_mb)
    elif args.step == "verify":
        result = verify(baseline_mb)
    else:
        result = pages(args)
    Path(args.child).write_text(json.dumps(result, default=str))
    return 0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def export(what: str, baseline_mb: float) -> dict:
    from django.core.management import call_command

    path = OUT / f"export.{what}"
    extra = ["--year", str(EXPORT_YEAR)] if what == "fec" else []
    started = time.monotonic()
    call_command("export", what, "--output", str(path), *extra)
    seconds = time.monotonic() - started
    with path.open("rb") as handle:
        rows = sum(1 for _line in handle)
    path.unlink()
    return {
        "what": what + (f" {EXPORT_YEAR}" if extra else ""),
        "rows": rows,
        "seconds": seconds,
        "rows_per_second": rows / seconds if seconds else 0,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline_mb,
    }


def verify(baseline_mb: float) -> dict:
    from django.core.management import call_command

    path = OUT / "export.journal"
    call_command("export", "journal", "--output", str(path))
    started = time.monotonic()
    call_command("verify", str(path))
    seconds = time.monotonic() - started
    path.unlink()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "baseline_mb": baseline_mb}


def pages(args) -> dict:
    from django.conf import settings

    from bench import run
    from commun.ledger import views
    from commun.ledger.models import Books

    _session, token = run.credentials()  # the ledger's pages are public: timed as a visitor
    bearer = f"Bearer {token}"
    count = Books.objects.get(pk=1).last_transaction_number
    last_page = max(1, -(-count // getattr(views, "PAGE_SIZE", 50)))
    api_last = max(1, -(-count // settings.NINJA_PAGINATION_PER_PAGE))
    measured = [
        {"name": "vue Django nue (1 ligne)", "path": "/bench/bare/"},
        {"name": "comptes publics", "path": "/comptes/"},
        {"name": "écritures, page 1", "path": "/comptes/ecritures/"},
        {
            "name": f"écritures, page {last_page} (dernière)",
            "path": f"/comptes/ecritures/?page={last_page}",
        },
        {
            "name": "API solde du compte 512",
            "path": "/api/v1/ledger/accounts/512",
            "authorization": bearer,
        },
        {
            "name": "API écritures, page 1",
            "path": "/api/v1/ledger/transactions",
            "authorization": bearer,
        },
        {
            "name": "API écritures, dernière page",
            "path": f"/api/v1/ledger/transactions?page={api_last}",
            "authorization": bearer,
        },
    ]
    return run.serve_and_time(measured, args)


def markdown(results: list[dict], args) -> str:
    from bench import run

    lines = [
        f"# Commun — grand livre, mesures du {datetime.date.today():%d/%m/%Y}",
        "",
        f"Machine : {os.cpu_count()} cœurs, granian (un processus), client séquentiel "
        f"({args.warmup} requêtes de chauffe puis {args.requests} mesurées par page, en "
        f"{args.runs} séries où chaque page suit la vue nue ; médiane des séries). "
        "PostgreSQL avec les réglages de durabilité de production. "
        "Mémoire : pic du processus (`ru_maxrss`), Django chargé compris.",
        "",
    ]
    for result in results:
        for size_step in result["steps"]:
            pages_ = size_step["pages"]
            lines += [
                f"## {result['database']} — {size_step['size']:_} écritures".replace("_", " "),
                "",
                f"Remplissage (depuis la taille précédente) : {size_step['fill_seconds']:.0f} s. "
                "Charge (loadavg) : "
                f"{size_step['load'][0]:.1f} → {size_step['load'][1]:.1f}.",
                "",
                *run.page_table(pages_),
            ]
            lines += [
                "",
                "| export | lignes | lignes/s | pic mémoire (Mo) | Django seul (Mo) |",
                "|---|--:|--:|--:|--:|",
            ]
            for export_ in size_step["exports"]:
                lines.append(
                    f"| {export_['what']} | {export_['rows']} | {export_['rows_per_second']:.0f} | "
                    f"{export_['peak_mb']:.0f} | {export_['baseline_mb']:.0f} |"
                )
            verify_ = size_step["verify"]
            lines += [
                f"| verify (journal) | — | {verify_['seconds']:.1f} s | {verify_['peak_mb']:.0f} | "
                f"{verify_['baseline_mb']:.0f} |",
                "",
            ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
