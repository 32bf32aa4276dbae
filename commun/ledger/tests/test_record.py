"""Recording a transaction: balanced, idempotent, append-only, or refused with nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from commun.ledger.models import Account, JournalEntry, Posting, Transaction

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)
SALE = [("512", 12_000), ("706", -12_000)]


def record(postings=SALE, key="k-1", label="Facture 2026-001", on=DAY, **extra):
    return Transaction.objects.record(on, label, postings, idempotency_key=key, **extra)


def counts():
    return (Transaction.objects.count(), Posting.objects.count(), JournalEntry.objects.count())


def test_it_books_a_balanced_transaction_with_its_journal_entry():
    booked = record()

    assert booked.number == 1
    assert sorted(booked.postings.values_list("account__code", "amount_cents")) == [
        ("512", 12_000),
        ("706", -12_000),
    ]
    assert Account.objects.get(code="512").balance() == 12_000
    assert Account.objects.get(code="706").balance() == -12_000
    entry = JournalEntry.objects.get()
    assert entry.ref == "transaction-1" and entry.sequence == 1
    assert "Facture" not in entry.payload_json  # labels are chained as a digest only


@pytest.mark.parametrize(
    "postings, message",
    [
        ([("512", 100), ("706", -99)], "pas équilibrée"),
        ([("512", 0), ("706", 0)], "jamais nulle"),
        ([("512", 100)], "au moins deux lignes"),
        ([], "au moins deux lignes"),
        ([("512", 10.5), ("706", -10.5)], "entiers de centimes"),
        ([("512", 100.0), ("706", -100.0)], "entiers de centimes"),
        ([("512", True), ("706", -1)], "entiers de centimes"),
        ([("512", "100"), ("706", "-100")], "entiers de centimes"),
        ([("512", 10**12), ("706", -(10**12))], "dépasse la limite"),
        ([("999", 100), ("706", -100)], "Compte inconnu : 999"),
        ([(512, 100), ("706", -100)], "est un texte"),
        ([("512", 100, 3), ("706", -100)], "couple"),
    ],
)
def test_it_refuses_a_malformed_transaction_and_writes_nothing(postings, message):
    record()
    before = counts()

    with pytest.raises(ValidationError) as refused:
        record(postings, key="k-2")

    assert message in str(refused.value)
    assert counts() == before


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"label": "  "}, "libellé est obligatoire"),
        ({"key": ""}, "clé d'idempotence est obligatoire"),
        ({"on": "2026-03-01"}, "date de l'écriture"),
    ],
)
def test_it_refuses_a_transaction_without_label_key_or_date(extra, message):
    with pytest.raises(ValidationError) as refused:
        record(**extra)

    assert message in str(refused.value)
    assert counts() == (0, 0, 0)


def test_a_retried_identical_request_returns_the_same_transaction_and_writes_nothing(
    django_assert_max_num_queries,
):
    first = record()
    before = counts()

    with django_assert_max_num_queries(4):
        again = record()

    assert again.pk == first.pk and again.number == 1
    assert counts() == before


def test_the_same_key_with_another_body_is_refused_and_writes_nothing():
    record()
    before = counts()

    with pytest.raises(ValidationError) as refused:
        record([("512", 12_001), ("706", -12_001)])

    assert "déjà servi pour une autre écriture" in str(refused.value)
    assert counts() == before
    with pytest.raises(ValidationError):
        record(label="Une autre facture")
    with pytest.raises(ValidationError):
        record(on=DAY + datetime.timedelta(days=1))


def test_a_reversal_books_the_opposite_and_names_what_it_corrects():
    booked = record()

    reversal = booked.reverse("Annulation facture 2026-001", idempotency_key="k-2", on=DAY)

    assert reversal.reverses == booked and booked.reversed_by == reversal
    assert Account.objects.get(code="512").balance() == 0
    assert Account.objects.get(code="706").balance() == 0
    assert reversal.number == 2


def test_a_transaction_is_reversed_once_and_a_reversal_never():
    booked = record()
    reversal = booked.reverse("Annulation", idempotency_key="k-2")
    before = counts()

    with pytest.raises(ValidationError, match="déjà été contrepassée"):
        booked.reverse("Encore", idempotency_key="k-3")
    with pytest.raises(ValidationError, match="ne se contrepasse pas"):
        reversal.reverse("Annuler l'annulation", idempotency_key="k-4")
    assert counts() == before


def test_a_reversal_must_mirror_the_original_exactly():
    booked = record()

    with pytest.raises(ValidationError, match="exactement les lignes inversées"):
        record([("512", -11_000), ("706", 11_000)], key="k-2", reverses=booked)

    assert Transaction.objects.count() == 1


def test_the_orm_refuses_to_change_or_delete_the_books():
    booked = record()
    posting = booked.postings.first()

    for attempt in (
        lambda: Transaction.objects.filter(pk=booked.pk).update(label="x"),
        lambda: Transaction.objects.all().delete(),
        lambda: Posting.objects.filter(pk=posting.pk).update(amount_cents=1),
        lambda: JournalEntry.objects.all().delete(),
        lambda: booked.save(),
        lambda: booked.delete(),
        lambda: posting.delete(),
    ):
        with pytest.raises(PermissionError):
            attempt()


@pytest.mark.parametrize(
    "table, column, value",
    [
        ("ledger_transaction", "label", "'Falsifiée'"),
        ("ledger_posting", "amount_cents", "1"),
        ("ledger_journalentry", "ref", "'x'"),
    ],
)
def test_the_database_refuses_an_update_by_sql(table, column, value):
    record()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET {column} = {value}")  # noqa: S608

    assert Transaction.objects.get().label == "Facture 2026-001"


def test_the_standard_chart_and_the_funds_are_there():
    codes = set(Account.objects.values_list("code", flat=True))

    assert {"512", "101", "1061", "1068", "120", "129", "641", "706"} <= codes
    assert Account.objects.get(code="1068-DISPO").parent.code == "1068"
    assert Account.objects.get(code="1068-COMMUNS").parent.code == "1068"


def test_a_mission_gets_its_own_commitment_account_under_the_committed_reserve():
    account = Account.objects.mission_commitment("m12", "Engagé : mission 12")

    assert account.code == "1068-ENG-M12" and account.parent.code == "1068-ENG"
    assert Account.objects.mission_commitment("m12", "autre nom").pk == account.pk


def test_a_balance_is_one_query(django_assert_max_num_queries):
    record()
    record([("606", 500), ("512", -500)], key="k-2")
    bank = Account.objects.get(code="512")

    with django_assert_max_num_queries(1):
        assert bank.balance() == 11_500
