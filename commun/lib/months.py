"""Calendar months: the one place Commun counts them (repayments, calendars, payroll, cash)."""

import datetime


def month_number(day: datetime.date) -> int:
    """A day's month as one integer, year × 12 + month − 1: months add and compare as numbers
    (and a table of months stores them as such)."""
    return day.year * 12 + day.month - 1


def month_of_number(number: int) -> datetime.date:
    """The first day of the month `month_number` gave."""
    return datetime.date(number // 12, number % 12 + 1, 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or that month's last day when it is shorter."""
    first = month_of_number(month_number(day) + months)
    last_day = (month_of_number(month_number(first) + 1) - datetime.timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


def month_starts(start: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` calendar months from `start`'s."""
    first = start.replace(day=1)
    return [add_months(first, index) for index in range(count)]
