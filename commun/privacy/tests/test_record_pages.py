"""The record of processing is the officers'; the privacy page tells everyone the same facts."""

import csv
import html
import io
import re

import pytest
from django.urls import reverse

from commun.privacy.declarations import record_of_processing

RECORD_PAGES = ["privacy:record", "privacy:record_csv", "privacy:record_pdf"]


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_the_record_is_for_officers_only(people, name):
    url = reverse(name)
    assert people["visitor"].get(url).status_code == 302
    for role in ("applicant", "account", "member"):
        assert people[role].get(url).status_code == 403, role
    assert people["officer"].get(url).status_code == 200


def test_the_record_lists_every_activity_with_its_basis_and_retention(people):
    page = html.unescape(people["officer"].get(reverse("privacy:record")).content.decode())
    for activity, items in record_of_processing():
        assert str(activity.name) in page
        assert str(activity.retention) in page
        assert str(activity.basis.label) in page
        for item in items:
            assert str(item.field.verbose_name)[:1].upper() in page


def test_the_record_downloads_as_csv_one_row_per_declared_field(people):
    response = people["officer"].get(reverse("privacy:record_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    declared = sum(len(items) for _activity, items in record_of_processing())
    assert len(rows) == declared + 1
    assert any(row[5] == "adresse postale" and row[2] == "obligation légale" for row in rows)


def test_the_record_downloads_as_pdf(people):
    response = people["officer"].get(reverse("privacy:record_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_privacy_page_is_generated_from_the_declarations(client, coop):
    page = html.unescape(client.get(reverse("core:privacy")).content.decode())
    for activity, _items in record_of_processing():
        assert str(activity.purpose) in page
    assert "adresse postale" in page.lower()
    assert "sessionid" in page


def table_rows(page: str) -> set[str]:
    """Each table row of a page as the text a reader sees, spaces collapsed."""
    rows = set()
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL):
        cells = [re.sub(r"<[^>]+>", " ", cell) for cell in re.findall(r"<t[hd].*?</t[hd]>", row)]
        rows.add(" | ".join(" ".join(html.unescape(cell).split()) for cell in cells))
    return rows


def test_the_privacy_page_says_who_sees_each_field_as_the_record_does(people):
    record = table_rows(people["officer"].get(reverse("privacy:record")).content.decode())
    page = table_rows(people["visitor"].get(reverse("core:privacy")).content.decode())

    declared = [item for _activity, items in record_of_processing() for item in items]
    assert len(record) > len(declared) // 2  # one row per field (a few share their words)
    assert record <= page, sorted(record - page)
    phone = next(row for row in page if row.lower().startswith("téléphone (associé·e)"))
    assert "responsables" in phone and "associé·es" not in phone.partition("|")[2]


def test_the_record_names_each_field_in_words_not_code(people):
    """Each field and model is given its name (French, translated), not one Django makes up."""
    for _activity, items in record_of_processing():
        for item in items:
            given = item.field.deconstruct()[3].get("verbose_name")
            assert item.declared.name or given, f"{item.label}: give it a verbose_name"
            given = item.model._meta.original_attrs.get("verbose_name")
            assert item.declared.model_name or given, f"{item.label}: name its model"
    page = html.unescape(people["officer"].get(reverse("privacy:record")).content.decode())
    for internal in ("Args kwargs", "Body html", "Cost breakdown", "Task Result", "Stance"):
        assert not re.search(rf"\b{internal}\b", page, re.IGNORECASE), internal
