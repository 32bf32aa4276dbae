"""Downloads from the web: the journal for everyone, Beancount and the FEC for officers only."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from commun.ledger.models import Transaction

pytestmark = pytest.mark.django_db

OFFICERS_ONLY = [
    reverse("exports:beancount"),
    reverse("exports:fec", args=[2026]),
]
PUBLIC = [
    reverse("exports:index"),
    reverse("exports:journal"),
    reverse("exports:digest"),
    reverse("exports:public_key"),
]


@pytest.fixture(autouse=True)
def _key_in_tmp(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("COMMUN_SIGNING_KEY", raising=False)
    settings.DATA_DIR = tmp_path


@pytest.fixture
def sales(alice, bob):
    Transaction.objects.record(
        datetime.date(2026, 3, 1),
        "Vente à Bob",
        [("512", 900), ("706", -900)],
        idempotency_key="s1",
    )
    Transaction.objects.record(
        datetime.date(2025, 3, 1), "Vente", [("512", 100), ("706", -100)], idempotency_key="s0"
    )


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("url", OFFICERS_ONLY)
@pytest.mark.parametrize(
    ("who", "status"),
    [("visitor", 302), ("applicant", 403), ("account", 403), ("member", 403), ("officer", 200)],
)
def test_books_exports_are_for_officers_only(people, sales, url, who, status):
    response = people[who].get(url)

    assert response.status_code == status
    if status == 200:
        assert response.streaming
        assert "attachment" in response["Content-Disposition"]
        assert "Vente à Bob" in body(response)
    if who == "visitor":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("who", ["visitor", "member", "officer"])
def test_the_journal_and_its_digest_are_public(people, sales, url, who):
    response = people[who].get(url)

    assert response.status_code == 200


def test_the_downloaded_journal_is_the_command_s_export(people, sales):
    out = io.StringIO()
    call_command("export", "journal", stdout=out)

    response = people["visitor"].get(reverse("exports:journal"))

    assert response.streaming
    assert body(response) == out.getvalue()
    assert "Bob" not in body(response)


def test_the_fec_download_is_named_as_the_dgfip_expects(people, sales):
    response = people["officer"].get(reverse("exports:fec", args=[2026]))

    assert 'filename="CommunFEC20261231.txt"' in response["Content-Disposition"]
    lines = body(response).splitlines()
    assert lines[0].startswith("JournalCode\tJournalLib\tEcritureNum")
    assert len(lines) == 1 + 2 * Transaction.objects.filter(date__year=2026).count()


def test_the_index_lists_books_downloads_for_officers_only(
    people, sales, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        officer_page = people["officer"].get(reverse("exports:index")).content.decode()
    member_page = people["member"].get(reverse("exports:index")).content.decode()

    for year in (2025, 2026):
        assert reverse("exports:fec", args=[year]) in officer_page
        assert reverse("exports:fec", args=[year]) not in member_page
    assert reverse("exports:beancount") in officer_page
    assert reverse("exports:beancount") not in member_page
    assert reverse("exports:digest") in member_page
    assert "réservés aux responsables" in member_page


def test_the_index_of_empty_books(people):
    with_nothing = people["visitor"].get(reverse("exports:index"))

    assert with_nothing.status_code == 200
    assert "<h1>" in with_nothing.content.decode()


def test_a_post_is_refused(people, sales):
    assert people["officer"].post(reverse("exports:beancount")).status_code == 405


@pytest.mark.parametrize("year", [0, 10000, 99999999999])
def test_an_impossible_year_is_not_found(people, year):
    assert people["officer"].get(f"/comptes/exports/fec/{year}").status_code == 404
