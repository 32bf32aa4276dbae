"""One date format per language: a table and a detail page show a date the same way."""

import datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format


@pytest.mark.parametrize(("language", "shown"), [("fr", "15 jan. 2026"), ("en", "Jan. 15, 2026")])
def test_a_table_and_a_detail_page_show_a_date_the_same_way(language, shown):
    day = datetime.date(2026, 1, 15)
    with translation.override(language):
        assert date_format(day, "SHORT_DATE_FORMAT") == shown
        assert date_format(day, "DATE_FORMAT") == shown
