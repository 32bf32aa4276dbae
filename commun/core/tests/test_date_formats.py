"""One date format per language: a table and a detail page show a date the same way, and
French writes the first of the month as typography asks (« 1er mars »), in a page, an email
or a PDF alike."""

import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
from django.template import engines
from django.utils import timezone, translation

from commun.lib.dates import date_format


@pytest.mark.parametrize(("language", "shown"), [("fr", "15 jan. 2026"), ("en", "Jan. 15, 2026")])
def test_a_table_and_a_detail_page_show_a_date_the_same_way(language, shown):
    day = datetime.date(2026, 1, 15)
    with translation.override(language):
        assert date_format(day, "SHORT_DATE_FORMAT") == shown
        assert date_format(day, "DATE_FORMAT") == shown


@pytest.mark.parametrize(
    ("language", "day", "shown"),
    [
        ("fr", 1, "1er mars 2027"),
        ("fr", 2, "2 mars 2027"),
        ("fr", 11, "11 mars 2027"),
        ("fr", 21, "21 mars 2027"),
        ("en", 1, "1 March 2027"),
    ],
)
def test_french_writes_the_first_of_the_month_as_an_ordinal(language, day, shown):
    with translation.override(language):
        assert date_format(datetime.date(2027, 3, day), "j F Y") == shown


def test_every_page_and_email_template_writes_it_so_through_the_date_filter():
    """The `date` filter every template uses, without loading anything: the same rule, with
    a datetime in the cooperative's time zone and the setting's formats."""
    template = engines["django"].from_string(
        "{{ day|date }} · {{ moment|date:'DATETIME_FORMAT' }} · {{ day|date:'Y-m-d' }}"
        " · {{ day|date:'\\j j' }} · {{ nothing|date }}"
    )
    moment = datetime.datetime(2027, 2, 28, 23, 30, tzinfo=datetime.UTC)  # 1 March in Paris

    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        shown = template.render({"day": datetime.date(2027, 3, 1), "moment": moment})

    assert shown == "1er mars 2027 · 1er mars 2027, 00:30 · 2027-03-01 · j 1er · "


def test_python_code_writes_dates_through_the_same_function():
    """Django's own `date_format` would write « 1 mars » in an email subject or a PDF."""
    root = Path(__file__).resolve().parents[2]
    straight = [
        str(path.relative_to(root.parent))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path != root / "lib" / "dates.py"
        and re.search(r"formats\.date_format\(|formats import date_format", path.read_text())
    ]

    assert straight == []
