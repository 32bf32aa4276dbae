import datetime

from hypothesis import given
from hypothesis import strategies as st

from commun.lib.months import add_months, month_starts


def test_a_day_the_next_month_lacks_becomes_its_last_day():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2026, 3, 31), -1) == datetime.date(2026, 2, 28)


def test_it_crosses_new_year_both_ways():
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)
    assert add_months(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 31)
    assert add_months(datetime.date(2026, 1, 15), -13) == datetime.date(2024, 12, 15)


def test_month_starts_are_consecutive_first_days_from_any_day():
    assert month_starts(datetime.date(2026, 11, 20), 3) == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
    ]


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(8000, 1, 1)), st.integers(-1200, 1200))
def test_adding_months_moves_the_month_index_and_never_the_day_beyond_it(day, months):
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (
        moved.day < day.day and (moved + datetime.timedelta(1)).day == 1
    )
