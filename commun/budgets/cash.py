"""When a mission's money leaves the bank, month by month (the treasury reads it).

The books spread a salaried mission's cost evenly over its months (the accrual); the bank
pays each payslip, and the last one with the indemnities and the relief's regularisation.
Both come from the mission's stored estimate, so they never change behind anyone's back.
"""

import datetime

from commun.budgets.models import Cost, MissionTerms, PayForm


def cash_months(mission: MissionTerms) -> list[tuple[datetime.date, int]]:
    """The mission's payments by month (first day of each), in cents, from its stored cost;
    they sum to its full cost to the cent. An invoice and a co-remuneration are paid in
    the last month, expenses evenly over the months, volunteering never."""
    cost = mission.stored_cost()
    if mission.pay_form == PayForm.SALARIED:
        return salaried_cash(cost)
    months = months_of(mission.start_on, mission.duration_months)
    total = cost.total_cents
    if not total:
        return []
    if mission.pay_form == PayForm.EXPENSES:
        share, odd = divmod(total, len(months))
        return [(month, share + (index >= len(months) - odd)) for index, month in enumerate(months)]
    return [(months[-1], total)]


def salaried_cash(cost: Cost) -> list[tuple[datetime.date, int]]:
    """A salaried estimate's payments, month by month."""
    return [(row["month"], row["cash_cents"]) for row in cost.month_rows]


def months_of(start: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` calendar months from `start`'s."""
    return [
        datetime.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]
