"""Income and expenses by form: VAT, bank or cash, receipts for officers only, booked once."""

import datetime
import random
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q, Sum
from django.urls import reverse

from commun.ledger import closing
from commun.ledger.models import Account, MonthlyTotal, Posting, Receipt, Transaction

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def entry(**changes):
    data = {
        "date": "2026-03-10",
        "label": "Hébergement mars",
        "nature": "613",
        "amount": "120,00",
        "vat_rate": "20",
        "via": "512",
        "idempotency_key": "form-1",
    }
    data.update(changes)
    return data


def counts():
    return Transaction.objects.count(), Posting.objects.count(), Receipt.objects.count()


def test_an_officer_books_an_expense_with_its_vat_and_receipt(people):
    officer = people["officer"]
    form = officer.get(reverse("ledger:expense"))
    key = form.context["form"].initial["idempotency_key"]
    upload = SimpleUploadedFile("facture-hébergeur.pdf", PDF, content_type="application/pdf")

    response = officer.post(
        reverse("ledger:expense"), {**entry(idempotency_key=key), "receipt": upload}
    )

    booked = Transaction.objects.get(idempotency_key=key)
    assert response.status_code == 302
    assert sorted(booked.postings.values_list("account__code", "amount_cents")) == [
        ("44566", 2000),
        ("512", -12000),
        ("613", 10000),
    ]
    receipt = booked.receipts.get()
    assert receipt.original_name == "facture-hébergeur.pdf"
    assert "hébergeur" not in receipt.file.name and receipt.file.name.endswith(".pdf")


def test_a_receipt_is_readable_by_the_server_s_user_only(people, settings):
    people["officer"].post(
        reverse("ledger:expense"),
        {**entry(), "receipt": SimpleUploadedFile("f.pdf", PDF, content_type="application/pdf")},
    )

    path = Path(Receipt.objects.get().file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, Path(settings.MEDIA_ROOT)):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_income_in_cash_credits_the_income_account(people):
    people["officer"].post(
        reverse("ledger:income"), entry(nature="706", amount="55.5", vat_rate="", via="530")
    )

    booked = Transaction.objects.get(idempotency_key="form-1")
    assert sorted(booked.postings.values_list("account__code", "amount_cents")) == [
        ("530", 5550),
        ("706", -5550),
    ]


def test_a_double_submit_books_once_with_one_receipt(people):
    officer = people["officer"]
    responses = []
    for _attempt in range(2):
        upload = SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")
        responses.append(officer.post(reverse("ledger:expense"), {**entry(), "receipt": upload}))

    assert responses[0]["Location"] == responses[1]["Location"]
    assert Transaction.objects.filter(label="Hébergement mars").count() == 1
    assert Receipt.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"amount": "-12"}, "amount", "ne peut pas être négatif"),
        ({"amount": "0"}, "amount", "supérieur à zéro"),
        ({"amount": "douze"}, "amount", "montant en euros"),
        ({"nature": "999"}, "nature", "Sélectionnez un choix valide"),
        ({"nature": "706"}, "nature", "Sélectionnez un choix valide"),  # income on an expense
        ({"label": ""}, "label", "obligatoire"),
        ({"via": "101"}, "via", "Sélectionnez un choix valide"),
        ({"date": "2025-12-31"}, "date", "L'exercice 2025 est clos"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(people, changes, field, message, officer):
    closing.close_year(2025, by=officer)
    before = counts()

    response = people["officer"].post(reverse("ledger:expense"), entry(**changes))

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert counts() == before


def test_it_refuses_a_receipt_that_is_not_a_pdf_or_an_image(people):
    upload = SimpleUploadedFile(
        "r.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"
    )
    before = counts()

    response = people["officer"].post(reverse("ledger:expense"), {**entry(), "receipt": upload})

    assert response.status_code == 422
    assert "PDF, PNG ou JPEG" in str(response.context["form"].errors["receipt"])
    assert counts() == before


@pytest.mark.parametrize(
    "role, expected", [("visitor", 404), ("member", 404), ("account", 404), ("officer", 200)]
)
def test_receipts_are_served_to_officers_only_as_attachments(people, role, expected):
    upload = SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")
    people["officer"].post(reverse("ledger:expense"), {**entry(), "receipt": upload})
    receipt = Receipt.objects.get()

    response = people[role].get(reverse("ledger:receipt", args=[receipt.pk]))

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


def test_the_transaction_page_lists_receipts_to_officers_only(people):
    upload = SimpleUploadedFile("secret-facture.pdf", PDF, content_type="application/pdf")
    people["officer"].post(reverse("ledger:expense"), {**entry(), "receipt": upload})
    number = Transaction.objects.get(idempotency_key="form-1").number
    url = reverse("ledger:transaction", args=[number])

    assert "secret-facture.pdf" in people["officer"].get(url).content.decode()
    assert "secret-facture.pdf" not in people["member"].get(url).content.decode()


def test_the_monthly_totals_equal_the_postings_after_random_records(coop):
    rng = random.Random(4)
    codes = ["512", "530", "706", "613", "627", "74", "1068-DISPO"]
    for n in range(120):
        day = datetime.date(2026, rng.randint(1, 10), rng.randint(1, 28))
        debit, credit = rng.sample(codes, 2)
        cents = rng.randint(1, 10**7)
        split = rng.randint(1, cents)
        postings = [(debit, cents), (credit, -split)]
        if split != cents:
            postings.append((rng.choice(codes), split - cents))
        Transaction.objects.record(day, f"n{n}", postings, idempotency_key=f"r{n}")

    def from_postings():
        rows = Posting.objects.values(
            "account_id", "transaction__date__year", "transaction__date__month"
        ).annotate(
            debit=Sum("amount_cents", filter=Q(amount_cents__gt=0)),
            credit=Sum("amount_cents", filter=Q(amount_cents__lt=0)),
        )
        return {
            (r["account_id"], r["transaction__date__year"], r["transaction__date__month"]): (
                r["debit"] or 0,
                -(r["credit"] or 0),
            )
            for r in rows
        }

    def from_totals():
        return {
            (t.account_id, t.month.year, t.month.month): (t.debit_cents, t.credit_cents)
            for t in MonthlyTotal.objects.all()
        }

    assert from_totals() == from_postings()
    for account in Account.objects.all():
        assert MonthlyTotal.objects.balances().get(account.pk, 0) == account.balance()
    MonthlyTotal.objects.rebuild()
    assert from_totals() == from_postings()


@pytest.mark.parametrize(
    "name", ["ledger:income", "ledger:expense", "ledger:import", "ledger:years"]
)
def test_officer_pages_cost_a_bounded_number_of_queries(
    people, django_assert_max_num_queries, name
):
    for n in range(200):
        Transaction.objects.record(
            datetime.date(2025, 1 + n % 12, 1 + n % 28),
            f"Vente {n}",
            [("512", 100 + n), ("706", -(100 + n))],
            idempotency_key=f"bulk-{n}",
        )

    with django_assert_max_num_queries(20):
        response = people["officer"].get(reverse(name))

    assert response.status_code == 200
