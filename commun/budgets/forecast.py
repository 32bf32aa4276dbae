"""The treasury forecast: the money in the bank at the end of each of the next twelve months.

It starts from what the bank and the till hold today (the ledger's 512 and 530), takes out
what adopted missions still have to pay and the gifts planned to upstream commons, and
adds the recurring income the officers entered. The adoption of a mission is refused when
it would take one of those months below zero (`check_adoption`, under the books' lock).

docs/accounting.md says what it counts and what it leaves out.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commun.budgets import cash
from commun.budgets.models import Mission, MissionPayment, RecurringIncome
from commun.budgets.signals import forecast_outflows
from commun.ledger.models import MONEY_ACCOUNTS, MonthlyTotal
from commun.lib.money import format_cents

HORIZON_MONTHS = 12


@dataclass(frozen=True)
class ForecastMonth:
    month: datetime.date  # its first day
    income_cents: int
    missions_cents: int
    gifts_cents: int
    balance_cents: int  # at the month's end

    @property
    def out_cents(self) -> int:
        return self.missions_cents + self.gifts_cents


@dataclass(frozen=True)
class Forecast:
    today: datetime.date
    bank_cents: int
    months: list[ForecastMonth]

    @property
    def lowest(self) -> ForecastMonth:
        """The month ending lowest (the earliest of equals): the one to watch."""
        return min(self.months, key=lambda month: month.balance_cents)

    @property
    def first_overdrawn(self) -> ForecastMonth | None:
        return next((month for month in self.months if month.balance_cents < 0), None)


def mission_outflows(mission) -> list[tuple[datetime.date, int]]:
    """What the mission pays, month by month (first day of the month, cents): its cash
    timeline (`cash.payments_by_month`), each payslip in the month it leaves the bank.

    The one place the forecast reads a mission's schedule (a Mission, or a row with its
    cost fields)."""
    return cash.payments_by_month(
        mission.pay_form,
        mission.start_on,
        mission.duration_months,
        mission.full_cost_cents or 0,
        (mission.cost_breakdown or {}).get("months") or [],
    )


def still_to_pay(mission, committed_cents: int, paid_cents: int) -> list[tuple[datetime.date, int]]:
    """The months' outflows not paid yet: payments settle the earliest months first, so
    what is left is the latest; what was committed beyond the months (a top-up) is due in
    the last one."""
    left = max(committed_cents - paid_cents, 0)
    outflows = mission_outflows(mission)
    remaining = []
    for month, cents in reversed(outflows):
        taken = min(cents, left)
        left -= taken
        remaining.append((month, taken))
    remaining.reverse()
    if left and remaining:
        month, cents = remaining[-1]
        remaining[-1] = (month, cents + left)
    return [(month, cents) for month, cents in remaining if cents]


def _bank_cents() -> int:
    totals = MonthlyTotal.objects.filter(account__code__in=MONEY_ACCOUNTS).aggregate(
        debit=Sum("debit_cents"), credit=Sum("credit_cents")
    )
    return (totals["debit"] or 0) - (totals["credit"] or 0)


def _committed_missions() -> list[SimpleNamespace]:
    """Adopted missions still paying, each with what it committed and paid: two queries,
    the stored months read out of the cost by the database, no model built (1,000 of them
    are read on every adoption)."""
    payable = Q(status__in=Mission.PAYABLE)
    paid = dict(
        MissionPayment.objects.filter(
            Q(cancelled_at__isnull=True), mission__status__in=Mission.PAYABLE
        )
        .values("mission_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("mission_id", "total")
        .order_by()
    )
    rows = (
        Mission.objects.filter(payable)
        .annotate(months=F("cost_breakdown__months"))
        .values(
            "pk",
            "committed_cents",
            "released_cents",
            "full_cost_cents",
            "pay_form",
            "start_on",
            "duration_months",
            "months",
        )
        .order_by()
    )
    return [
        SimpleNamespace(
            cost_breakdown={"months": row.pop("months")}, paid_cents=paid.get(row["pk"], 0), **row
        )
        for row in rows
    ]


def treasury_forecast(
    today: datetime.date | None = None, adding: Mission | None = None
) -> Forecast:
    """The next twelve months from this one; `adding`: as if that mission were adopted too.

    What should have left in a past month and has not is due this month. Five queries."""
    today = today or timezone.localdate()
    months = cash.months_of(today, HORIZON_MONTHS)
    first = months[0]
    out = dict.fromkeys(months, 0)

    def spend(outflows):
        for month, cents in outflows:
            month = max(month, first)
            if month in out:
                out[month] += cents

    for mission in _committed_missions():
        committed = mission.committed_cents - mission.released_cents
        spend(still_to_pay(mission, committed, mission.paid_cents or 0))
    if adding is not None:
        spend(still_to_pay(adding, adding.full_cost_cents or 0, 0))
    gifts = dict.fromkeys(months, 0)
    for _receiver, outflows in forecast_outflows.send(sender=None):
        for month, cents in outflows:
            month = max(month, first)
            if month in gifts:
                gifts[month] += cents
    incomes = list(RecurringIncome.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today)))
    bank = balance = _bank_cents()
    rows = []
    for month in months:
        income = sum(i.amount_cents for i in incomes if i.falls_in(month, after=today))
        balance += income - out[month] - gifts[month]
        rows.append(ForecastMonth(month, income, out[month], gifts[month], balance))
    return Forecast(today=today, bank_cents=bank, months=rows)


def check_adoption(mission: Mission) -> None:
    """Refuse, naming the month, an adoption that would take the forecast below zero.
    The caller holds the books' lock, as the reserve's check does."""
    overdrawn = treasury_forecast(adding=mission).first_overdrawn
    if overdrawn is None:
        return
    raise ValidationError(
        _(
            "La trésorerie prévue passerait sous zéro en %(month)s (%(balance)s) : la banque "
            "ne pourrait pas payer cette mission avec les autres engagements."
        )
        % {
            "month": date_format(overdrawn.month, "F Y"),
            "balance": format_cents(overdrawn.balance_cents),
        },
        code="forecast_overdrawn",
    )
