"""Building the upstream side in tests: projects, a filled commons fund, a closed split.

Plain functions (not fixtures), so any app's test module may import them.
"""

import datetime
import itertools

from commun.ledger import chart, funds
from commun.ledger.models import Transaction
from commun.upstream.models import CommonsSplit, UpstreamProject

_keys = itertools.count(1)

PROJECTS = [
    ("Django", "https://www.djangoproject.com/", "Le cadriciel web de Commun."),
    ("PostgreSQL", "https://www.postgresql.org/", "La base de données de production."),
    ("htmx", "https://htmx.org/", "L'interactivité des pages sans application JavaScript."),
]


def projects(count: int = 3) -> list[UpstreamProject]:
    return [
        UpstreamProject.objects.create(name=name, url=url, used_for=used_for)
        for name, url, used_for in PROJECTS[:count]
    ]


def fill_fund(cents: int) -> None:
    """Put `cents` into the commons fund, as the year close would."""
    funds.top_up(
        cents,
        idempotency_key=f"test-fund-{next(_keys)}-{cents}",
        label="Dotation du fonds pour les communs amont",
        fund=chart.COMMONS_FUND,
        on=datetime.date(2026, 1, 31),
    )


def shrink_fund(cents: int) -> None:
    """Take `cents` out of the commons fund by a correction of the books (a year close
    redone, say): what was promised before may no longer fit."""
    Transaction.objects.record(
        datetime.date(2026, 2, 1),
        "Correction du fonds pour les communs amont",
        [(chart.COMMONS_FUND, cents), (chart.PROFIT, -cents)],
        idempotency_key=f"test-shrink-{next(_keys)}-{cents}",
    )


def closed_split(officer, voters_ballots, amount_cents: int) -> CommonsSplit:
    """Open a split, let each (member, {project name: points}) vote, close it at its deadline."""
    split = CommonsSplit.objects.open(officer, amount_cents=amount_cents)
    decision = split.decision
    option_of = {c.project.name: c.option_id for c in split.candidates.select_related("project")}
    round = decision.current_round
    for member, points in voters_ballots:
        round.take_stance(
            member, "ballot", ballot={str(option_of[name]): n for name, n in points.items()}
        )
    decision.close(now=decision.closes_at + datetime.timedelta(seconds=1))
    split.refresh_from_db()
    return split
