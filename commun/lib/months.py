"""Calendar months: the one place Commun counts them (repayments, calendars, payroll, cash)."""

import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or that month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = datetime.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last_day = (first_of_next - datetime.timedelta(days=1)).day
    return datetime.date(year, month + 1, min(day.day, last_day))


def month_starts(start: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` calendar months from `start`'s."""
    first = start.replace(day=1)
    return [add_months(first, index) for index in range(count)]
