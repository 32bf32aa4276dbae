"""Time the treasury forecast with 1,000 adopted missions.

    .venv/bin/python -m bench.treasury                     # SQLite, 1,000 missions
    .venv/bin/python -m bench.treasury --missions 5000 --runs 5

A fresh SQLite database in bench/out/ (bench/generate.py's cooperative, 50 members), then
`--missions` adopted missions bulk-inserted, each spread over six months around today with
its cash timeline stored as at adoption, a third of them paid once, and a dozen recurring
incomes. Times `treasury_forecast()` and
the public page (Django's test client, in process) and counts their queries. Prints a
Markdown table and writes it to bench/out/treasury-latest.md.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DATABASE = OUT / "treasury.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="par tour")
    return parser.parse_args()


def fill(missions: int) -> None:
    """Adopted missions, their commitments' months, some payments, and recurring income."""
    from django.utils import timezone

    from commun.budgets.cash import add_months
    from commun.budgets.models import (
        Mission,
        MissionCashMonth,
        MissionPayment,
        Need,
        RecurringIncome,
    )
    from commun.ledger import chart
    from commun.ledger.models import Transaction
    from commun.members.models import Member

    proposer = Member.objects.order_by("pk").first()
    need = Need.objects.create(raised_by=proposer, title="Banc d'essai", description="Banc.")
    today = timezone.localdate()
    first = add_months(today.replace(day=1), -2)
    Transaction.objects.record(
        today,
        "Trésorerie de départ (banc)",
        [(chart.BANK, 10**11), ("110", -(10**11))],
        idempotency_key="bench-bank",
    )
    rows = []
    for index in range(missions):
        start = add_months(first, index % 6)
        cost = 600_000 + index
        months = [
            {"month": add_months(start, m).isoformat(), "employer_cost_cents": cost // 6}
            for m in range(6)
        ]
        months[-1]["employer_cost_cents"] += cost - 6 * (cost // 6)
        rows.append(
            Mission(
                need=need,
                proposer=proposer,
                ref=f"B{index + 1}",
                title=f"Mission de banc n°{index + 1}",
                scope="Banc.",
                deliverables="Banc.",
                start_on=start,
                duration_months=6,
                pay_form="invoice",
                amount_cents=cost,
                vat_rate_bp=0,
                full_cost_cents=cost,
                cost_engine="invoice",
                cost_breakdown={"months": months},
                committed_cents=cost,
                status=Mission.Status.ADOPTED,
            )
        )
    Mission.objects.bulk_create(rows, batch_size=1000)
    # what `commit_budget` stores at each adoption: the cash timeline the forecast reads
    MissionCashMonth.objects.write_for(Mission.objects.filter(ref__startswith="B"))
    paid = list(Mission.objects.filter(ref__startswith="B").order_by("pk")[::3])
    for mission in paid:
        transaction = Transaction.objects.record(
            today,
            f"Paiement {mission.ref}",
            [("611", 100_000), (chart.BANK, -100_000)],
            idempotency_key=f"bench-pay-{mission.pk}",
        )
        MissionPayment.objects.create(
            mission=mission,
            kind="invoice",
            date=today,
            label="Facture",
            amount_cents=100_000,
            transaction=transaction,
            idempotency_key=f"bench-pay-{mission.pk}",
        )
    for index in range(12):
        RecurringIncome.objects.create(
            label=f"Recette {index}",
            amount_cents=50_000 + index,
            frequency=("monthly", "quarterly", "yearly")[index % 3],
            starts_on=add_months(today.replace(day=1), index % 4).replace(day=5),
        )


def timed(work, runs: int, requests: int) -> tuple[float, float, float]:
    """The median of each round's median, in ms, and the rounds' range."""
    medians = []
    for _round in range(runs):
        times = []
        for _i in range(requests):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(times))
    return statistics.median(medians), min(medians), max(medians)


def main() -> int:
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--members", "50", "--pending", "0"],
        check=True,
        env=os.environ,
    )
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench import run
    from commun.budgets.forecast import treasury_forecast

    setup_test_environment()
    fill(args.missions)
    client = Client()
    assert client.get("/tresorerie/").status_code == 200
    rows = [
        ("treasury_forecast()", lambda: treasury_forecast()),
        ("GET /tresorerie/", lambda: client.get("/tresorerie/")),
        ("GET /api/v1/treasury/forecast", lambda: client.get("/api/v1/treasury/forecast")),
    ]
    load = os.getloadavg()[0]
    lines = [
        f"Trésorerie prévue, {args.missions} missions adoptées, SQLite, en processus "
        f"(charge {load:.2f}) :",
        "",
        "| mesure | requêtes | médiane (ms) | écart des tours (ms) | cible |",
        "|---|---:|---:|---|---|",
    ]
    for name, work in rows:
        median, low, high = timed(work, args.runs, args.requests)
        target = "< 100 ms" if name != "treasury_forecast()" else ""
        lines.append(
            f"| {name} | {run.queries_in(work)} | {median:.1f} | {low:.1f}–{high:.1f} | {target} |"
        )
    report = "\n".join(lines)
    print(report)
    (OUT / "treasury-latest.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
