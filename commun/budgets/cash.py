"""When a mission's money leaves the bank, month by month (the treasury reads it).

The books spread a salaried mission's cost evenly over its months (the accrual); the bank
pays each payslip, and the last one with the indemnities and the relief's regularisation.
Both come from the mission's stored estimate, so they never change behind anyone's back.
"""

import datetime

from commun.budgets.models import MissionTerms, PayForm
from commun.lib.months import month_number, month_of_number, month_starts


def cash_months(mission: MissionTerms) -> list[tuple[datetime.date, int]]:
    """The mission's payments by month (first day of each), in cents, from its stored cost;
    they sum to its full cost to the cent."""
    cost = mission.stored_cost()
    return payments_by_month(
        mission.pay_form, mission.start_on, mission.duration_months, cost.total_cents, cost.months
    )


def payments_by_month(
    pay_form: str, start: datetime.date, duration: int, total: int, stored_months: list[dict]
) -> list[tuple[datetime.date, int]]:
    """`cash_months` from a mission's fields alone (the forecast reads them without models).

    A salaried estimate pays each payslip (one stored before the cash timeline existed, its
    accrual), and a mission with co-contributors the months its cost added up from each
    one's timeline (`models._cost_of_parts`); otherwise invoices and expenses month by month,
    evenly (a mission states a monthly amount); a co-remuneration, decided after the work,
    in the last month; volunteering never."""
    if stored_months:
        return [
            (
                datetime.date.fromisoformat(row["month"]),
                row.get("cash_cents", row["employer_cost_cents"]),
            )
            for row in stored_months
        ]
    months = months_of(start, duration or 1)
    if not total:
        return []
    if pay_form != PayForm.CO_REMUNERATION:
        share, odd = divmod(total, len(months))
        return [(month, share + (index >= len(months) - odd)) for index, month in enumerate(months)]
    return [(months[-1], total)]


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after `month`'s."""
    return month_of_number(month_number(month) + count)


def months_of(start: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` calendar months from `start`'s."""
    return month_starts(start, count)
