"""Building needs, missions and a funded reserve in tests: plain functions, not fixtures."""

import datetime
import itertools

from commun.budgets.models import (
    BudgetSettings,
    Mission,
    MissionContributor,
    MissionPayment,
    MissionTopUp,
    MissionVersion,
    Need,
    NeedSupport,
)
from commun.decisions.models import Decision
from commun.ledger import chart
from commun.ledger.models import Transaction

DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 1, 1)
# The charter's example: a six-month CDD at 2,000 € net a month, full time.
CHARTER = {
    "title": "Maintenir la billetterie",
    "scope": "Corriger les anomalies et publier **deux versions**.",
    "deliverables": "Deux versions publiées, notes de version.",
    "start_on": START,
    "duration_months": 6,
    "pay_form": "salaried",
    "contract": "cdd",
    "working_time_percent": 100,
    "monthly_amount_cents": 200_000,
    "amount_basis": "net",
}
CHARTER_COST_CENTS = 2_440_344
# The same, as the proposal form posts it (euros, text).
CHARTER_FORM = {
    "title": CHARTER["title"],
    "scope": CHARTER["scope"],
    "deliverables": CHARTER["deliverables"],
    "start_on": "2026-01-01",
    "duration_months": "6",
    "pay_form": "salaried",
    "contract": "cdd",
    "working_time_percent": "100",
    "monthly_amount": "2000",
    "amount_basis": "net",
}
_keys = itertools.count(1)


def invoice(amount_cents: int, vat_rate_bp: int = 0, **fields) -> dict:
    values = CHARTER | {
        "pay_form": "invoice",
        "amount_cents": amount_cents,
        "vat_rate_bp": vat_rate_bp,
        "duration_months": 1,
    }
    for name in ("contract", "working_time_percent", "monthly_amount_cents", "amount_basis"):
        values.pop(name)
    return values | fields


def fund(cents: int) -> Transaction:
    """Put `cents` into the available reserve, as money the bank holds (the treasury
    forecast then covers what the reserve does)."""
    return Transaction.objects.record(
        datetime.date(2026, 1, 2),
        "Dotation de la réserve (test)",
        [(chart.BANK, cents), (chart.RESERVE_AVAILABLE, -cents)],
        idempotency_key=f"test-fund-{next(_keys)}",
    )


def reserve_without_cash(cents: int) -> Transaction:
    """Put `cents` into the available reserve that the bank does not hold (the reserve's
    guard then lets through what the treasury forecast alone may refuse)."""
    return Transaction.objects.record(
        datetime.date(2026, 1, 2),
        "Dotation de la réserve sans trésorerie (test)",
        [("110", cents), (chart.RESERVE_AVAILABLE, -cents)],
        idempotency_key=f"test-reserve-{next(_keys)}",
    )


def need_by(member, title: str = "Une billetterie maintenue") -> Need:
    return Need.objects.raise_need(member, title=title, description="Les bugs s'accumulent.")


def draft(member, need: Need | None = None, **fields) -> Mission:
    need = need or need_by(member)
    return Mission.objects.propose(member, need, **(fields or invoice(100_000)))


def submitted(member, need: Need | None = None, **fields) -> Mission:
    mission = draft(member, need, **fields)
    return mission.submit(member)


def shared_by_bob_and_gus(alice, bob, gus) -> Mission:
    """An adopted mission with two people paid: Bob invoices 600 €; Gus is co-remunerated,
    10 h planned at 50 € (500 €)."""
    fund(1_000_000)
    mission = draft(bob, **invoice(60_000))
    mission.add_contributor(
        bob, gus, pay_form="co_remuneration", estimated_hours=10, hourly_rate_cents=5_000
    )
    mission.submit(bob)
    adopt(mission, alice)
    return mission


def consent_all(decision: Decision) -> None:
    """Every eligible member consents (through the model)."""
    round = decision.current_round
    for eligibility in decision.eligible.select_related("member"):
        round.take_stance(eligibility.member, "consent")


def adopt(mission: Mission, by) -> str:
    """Everyone consents, then `by` closes once the minimum deliberation has passed."""
    decision = Decision.objects.get(pk=mission.decision_id)
    consent_all(decision)
    outcome = decision.close(now=decision.deliberation_ends_at + DAY, by=by)
    mission.refresh_from_db()
    return outcome


def shown(cents: int) -> str:
    """An amount as the French pages print it."""
    from django.utils import translation

    from commun.lib.money import format_cents

    with translation.override("fr"):
        return format_cents(cents)


def mission_in(scenario: str, proposer, officer) -> Mission:
    """A fresh mission of `proposer`'s at a given stage (the reserve funded as needed)."""
    fund(1_000_000)
    mission = draft(proposer, **invoice(100_000))
    if scenario == "draft":
        return mission
    mission.submit(proposer)
    if scenario == "submitted":
        return mission
    adopt(mission, proposer)
    mission.record_payment(
        officer,
        kind="invoice",
        on=datetime.date(2026, 2, 1),
        label="Acompte",
        amount_cents=10_000,
        idempotency_key=f"acompte-{mission.pk}",
    )
    if scenario == "adopted":
        return mission
    mission.ask_review(proposer, "Livré.")
    if scenario == "closing":
        return mission
    raise ValueError(scenario)


# At most this many queries for a mission's page (one of them its tasks done, from the board,
# one the count of its payments, which it pages).
MISSION_QUERIES = 17


def snapshot():
    return (
        sorted(Need.objects.values_list("pk", "status")),
        NeedSupport.objects.count(),
        sorted(Mission.objects.values_list("pk", "status", "title", "full_cost_cents")),
        MissionVersion.objects.count(),
        sorted(
            MissionContributor.objects.values_list(
                "pk", "member_id", "pay_form", "amount_cents", "estimated_hours"
            )
        ),
        sorted(MissionPayment.objects.values_list("pk", "cancelled_at")),
        MissionTopUp.objects.count(),
        Decision.objects.count(),
        Transaction.objects.count(),
        tuple(BudgetSettings.objects.values_list("deciders", "deadline_days")),
    )


def as_json(values: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def errors_by_field(response) -> dict:
    return {tuple(e["loc"])[-1]: e["msg"] for e in response.json()["detail"]}


def slowed_engine(monkeypatch, seconds: float = 2) -> None:
    """OpenFisca as under load: each estimate takes `seconds` more."""
    import time

    from commun.lib import payroll

    compute = payroll._openfisca_cost

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return compute(*args, **kwargs)

    monkeypatch.setattr(payroll, "_openfisca_cost", slow)


def timed(ask):
    """(what `ask()` answered, how many seconds it took)."""
    import time

    started = time.monotonic()
    answer = ask()
    return answer, time.monotonic() - started
