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
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.budgets import cash
from commun.budgets.models import Mission, MissionCashMonth, MissionPayment, RecurringIncome
from commun.budgets.signals import forecast_outflows
from commun.ledger.models import MONEY_ACCOUNTS, MonthlyTotal
from commun.lib.dates import date_format
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
    """The mission's outflows not paid yet (`settle` on its cash timeline)."""
    return settle(mission_outflows(mission), committed_cents, paid_cents)


def settle(outflows: list[tuple], committed_cents: int, paid_cents: int) -> list[tuple]:
    """The months' outflows not paid yet: payments settle the earliest months first, so
    what is left is the latest; what was committed beyond the months (a top-up) is due in
    the last one. Months are dates or month numbers, in order."""
    left = max(committed_cents - paid_cents, 0)
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


def _committed_outflows() -> dict[int, int]:
    """What the adopted missions still have to pay, by month number (`cash.month_number`),
    from the cash timelines stored at adoption (`MissionCashMonth`), with no model built
    (1,000 missions are read on every adoption).

    The database adds up the timelines month by month; only a mission partly paid, topped
    up or released is settled here (`settle`), from its own rows. A mission adopted without
    its timeline stored (bulk-loaded data) is read from its stored cost. Two to four queries."""
    paid = (
        MissionPayment.objects.filter(mission=OuterRef("pk"), cancelled_at__isnull=True)
        .values("mission")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    scheduled = (
        MissionCashMonth.objects.filter(mission=OuterRef("pk"))
        .values("mission")
        .annotate(total=Sum("cents"))
        .values("total")
    )
    left, unsettled, unscheduled = {}, set(), []
    for pk, committed, released, paid_cents, scheduled_cents in (
        Mission.objects.filter(status__in=Mission.PAYABLE)
        .annotate(paid=Coalesce(Subquery(paid), 0), scheduled=Subquery(scheduled))
        .values_list("pk", "committed_cents", "released_cents", "paid", "scheduled")
        .order_by()
    ):
        left[pk] = committed - released - paid_cents
        if scheduled_cents is None:
            if left[pk] > 0:
                unscheduled.append(pk)
        elif left[pk] != scheduled_cents:
            unsettled.add(pk)
    out = dict(
        MissionCashMonth.objects.filter(mission__status__in=Mission.PAYABLE)
        .values("month_number")
        .annotate(total=Sum("cents"))
        .values_list("month_number", "total")
        .order_by()
    )
    schedules: dict[int, list[tuple[int, int]]] = {}
    if unsettled:
        for pk, number, cents in (
            MissionCashMonth.objects.filter(mission__in=unsettled)
            .values_list("mission_id", "month_number", "cents")
            .order_by("mission_id", "month_number")
        ):
            schedules.setdefault(pk, []).append((number, cents))
    if unscheduled:
        for row in (
            Mission.objects.filter(pk__in=unscheduled)
            .annotate(months=F("cost_breakdown__months"))
            .values("pk", "full_cost_cents", "pay_form", "start_on", "duration_months", "months")
            .order_by()
        ):
            row["cost_breakdown"] = {"months": row.pop("months")}
            outflows = mission_outflows(SimpleNamespace(**row))
            schedules[row["pk"]] = [(cash.month_number(m), cents) for m, cents in outflows]
    for pk, schedule in schedules.items():
        if pk in unsettled:  # added up whole above: take its timeline back out
            for number, cents in schedule:
                out[number] -= cents
        for number, cents in settle(schedule, left[pk], 0):
            out[number] = out.get(number, 0) + cents
    return out


def treasury_forecast(
    today: datetime.date | None = None, adding: Mission | None = None
) -> Forecast:
    """The next twelve months from this one; `adding`: as if that mission were adopted too.

    What should have left in a past month and has not is due this month. Five to seven
    queries (`_committed_outflows`)."""
    today = today or timezone.localdate()
    months = cash.months_of(today, HORIZON_MONTHS)
    first = months[0]
    out = dict.fromkeys(months, 0)

    by_number = {cash.month_number(month): month for month in months}
    opening = cash.month_number(first)

    def spend(outflows):
        for number, cents in outflows:
            month = by_number.get(max(number, opening))
            if month is not None:
                out[month] += cents

    spend(_committed_outflows().items())
    if adding is not None:
        outflows = still_to_pay(adding, adding.full_cost_cents or 0, 0)
        spend((cash.month_number(month), cents) for month, cents in outflows)
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
