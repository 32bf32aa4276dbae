"""Time one salaried mission's cost estimate against its 1 s target.

    .venv/bin/python -m bench.payroll                 # 5 rounds of 4 contracts
    .venv/bin/python -m bench.payroll --runs 10

The engine is loaded first (as `warm_up` does at the server's start), then each contract
is estimated `--runs` times: the charter's example, a CDD across New Year, a half-time CDD
begun on the 15th, and a cadre in Paris with 11 staff and a mutuelle. Prints each one's
median and slowest computed anew, and the same estimate asked again (read from the cache,
`settings_test`'s in-process cache here; the server's is the database), with the load
average before and after.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings_test")

TARGET_SECONDS = 1.0
CHARTER = {"contract": "cdd", "monthly_net_cents": 200_000, "months": 6}


def contracts(payroll) -> dict[str, dict]:
    paris = payroll.Employer(headcount=11, commune="75101", mutuelle_cents=5_000)
    return {
        "charter (March–August)": CHARTER | {"start": date(2026, 3, 1)},
        "October–March": CHARTER | {"start": date(2026, 10, 1)},
        "half time from the 15th": CHARTER
        | {"start": date(2026, 3, 15), "monthly_net_cents": 100_000, "working_time_percent": 50},
        "cadre, Paris, 11 staff": CHARTER
        | {"start": date(2026, 3, 1), "cadre": True, "employer": paris},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    import django

    django.setup()
    from django.core.cache import cache

    from commun.lib import payroll

    started = time.perf_counter()
    payroll._tax_benefit_system()
    print(f"engine loaded in {time.perf_counter() - started:.1f} s")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| contract | median | slowest | target | the same again (cached) |")
    print("|---|---|---|---|---|")
    for name, terms in contracts(payroll).items():
        timings, again = [], []
        for _run in range(arguments.runs):
            cache.clear()  # each round computes anew, then reads it back
            started = time.perf_counter()
            payroll.salaried_cost(**terms)
            timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            payroll.salaried_cost(**terms)
            again.append(time.perf_counter() - started)
        median, slowest = statistics.median(timings), max(timings)
        verdict = "ok" if median < TARGET_SECONDS else "over"
        cached = statistics.median(again) * 1000
        print(f"| {name} | {median:.2f} s | {slowest:.2f} s | {verdict} | {cached:.1f} ms |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
