"""Paying and cancelling gifts: the fund pays, never beyond what it holds; nothing is erased."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from commun.ledger import funds
from commun.ledger.models import Posting, Transaction
from commun.testing.upstream import closed_split, fill_fund, projects, shrink_fund
from commun.upstream.models import Gift, UpstreamProject

DAY = datetime.date(2026, 3, 2)


def ledger_state():
    return (Transaction.objects.count(), Posting.objects.count(), funds.commons_fund_cents())


def direct(alice, project, cents, reference="Assemblée générale du 12 mars 2026") -> Gift:
    return Gift.objects.plan(alice, project=project, amount_cents=cents, reference=reference)


def test_paying_a_gift_books_it_out_of_the_fund(alice):
    django, *_ = projects()
    fill_fund(100_000)
    gift = direct(alice, django, 30_000)

    gift.pay(alice, DAY, "pay-1")

    assert (gift.status, gift.paid_on) == ("paid", DAY)
    assert funds.commons_fund_cents() == 70_000
    booked = gift.transaction
    assert (
        booked.label
        == "Don au projet amont Django (don direct : Assemblée générale du 12 mars 2026)"
    )
    assert sorted(booked.postings.values_list("account__code", "amount_cents")) == [
        ("1068-COMMUNS", 30_000),
        ("1068-CONSO", -30_000),
        ("512", -30_000),
        ("6238", 30_000),
    ]


def test_a_gift_of_a_split_names_its_split_in_the_books(alice, bob):
    projects()
    fill_fund(10_000)
    split = closed_split(alice, [(bob, {"Django": 100})], amount_cents=10_000)
    gift = split.gifts.get()

    gift.pay(alice, DAY, "pay-split")

    assert gift.transaction.label == f"Don au projet amont Django (répartition n°{split.pk})"


def test_a_gift_over_the_fund_is_refused_and_nothing_is_written(alice):
    django, *_ = projects()
    fill_fund(10_001)
    gift = direct(alice, django, 10_001)
    shrink_fund(1)  # promised when it fitted; the books were corrected since
    before = ledger_state()

    with pytest.raises(ValidationError) as refused:
        gift.pay(alice, DAY, "pay-over")

    assert refused.value.code == "over_fund"
    assert "dépasse ce que contient le fonds" in refused.value.messages[0]
    gift.refresh_from_db()
    assert (gift.status, gift.transaction, gift.paid_on) == ("planned", None, None)
    assert ledger_state() == before


def test_a_retried_payment_is_booked_once(alice):
    django, *_ = projects()
    fill_fund(10_000)
    gift = direct(alice, django, 4_000)

    gift.pay(alice, DAY, "pay-once")
    again = Gift.objects.get(pk=gift.pk).pay(alice, DAY, "pay-once")

    assert again.transaction == gift.transaction
    assert funds.commons_fund_cents() == 6_000


def test_a_paid_gift_is_not_paid_again_under_another_key(alice):
    django, *_ = projects()
    fill_fund(10_000)
    gift = direct(alice, django, 4_000)
    gift.pay(alice, DAY, "pay-a")
    before = ledger_state()

    with pytest.raises(ValidationError, match="déjà versé"):
        gift.pay(alice, DAY, "pay-b")

    assert ledger_state() == before


def test_a_key_already_used_elsewhere_is_refused(alice):
    django, postgres, _htmx = projects()
    fill_fund(10_000)
    direct(alice, django, 1_000).pay(alice, DAY, "shared-key")
    other = direct(alice, postgres, 1_000)
    before = ledger_state()

    with pytest.raises(ValidationError, match="déjà servi"):
        other.pay(alice, DAY, "shared-key")

    assert ledger_state() == before
    assert Gift.objects.get(pk=other.pk).status == "planned"


def test_a_payment_in_the_future_is_refused(alice):
    django, *_ = projects()
    fill_fund(10_000)
    gift = direct(alice, django, 1_000)

    with pytest.raises(ValidationError, match="après aujourd'hui") as refused:
        gift.pay(alice, datetime.date.today() + datetime.timedelta(days=2), "later")
    assert list(refused.value.message_dict) == ["on"]


def test_cancelling_a_paid_gift_books_the_reversal_and_restores_the_fund(alice):
    django, *_ = projects()
    fill_fund(10_000)
    gift = direct(alice, django, 4_000)
    gift.pay(alice, DAY, "pay-then-cancel")
    booked = Transaction.objects.count()

    gift.cancel(alice)

    assert gift.status == "cancelled"
    assert gift.cancellation.reverses == gift.transaction
    assert funds.commons_fund_cents() == 10_000
    with pytest.raises(ValidationError, match="déjà annulé"):
        gift.cancel(alice)
    assert Transaction.objects.count() == booked + 1  # the reversal, once


def test_cancelling_a_planned_gift_books_nothing(alice):
    django, *_ = projects()
    fill_fund(10_000)
    gift = direct(alice, django, 4_000)
    before = ledger_state()

    gift.cancel(alice)

    assert gift.status == "cancelled"
    assert ledger_state() == before
    with pytest.raises(ValidationError):
        gift.pay(alice, DAY, "too-late")


def test_only_officers_pay_cancel_or_plan(alice, bob):
    django, *_ = projects()
    fill_fund(10_000)
    gift = direct(alice, django, 1_000)

    with pytest.raises(PermissionDenied):
        gift.pay(bob, DAY, "bob")
    with pytest.raises(PermissionDenied):
        gift.cancel(bob.user)
    with pytest.raises(PermissionDenied):
        direct(bob, django, 1_000)
    assert Gift.objects.get(pk=gift.pk).status == "planned"


@pytest.mark.parametrize(
    ("cents", "reference", "field"),
    [(0, "AG", "amount_cents"), (-100, "AG", "amount_cents"), (100, "  ", "reference")],
)
def test_a_direct_gift_needs_a_positive_amount_and_what_decided_it(alice, cents, reference, field):
    django, *_ = projects()

    with pytest.raises(ValidationError) as refused:
        direct(alice, django, cents, reference)

    assert field in refused.value.message_dict
    assert not Gift.objects.exists()


def test_the_database_refuses_a_gift_of_nothing(alice):
    django, *_ = projects()

    with pytest.raises(IntegrityError), transaction.atomic():
        Gift.objects.create(project=django, amount_cents=0, reference="AG")


def test_a_project_that_received_a_gift_is_never_deleted(alice):
    django, postgres, _htmx = projects()
    fill_fund(1_000)
    direct(alice, django, 1_000)

    with pytest.raises(ValidationError, match="désactivez"):
        django.delete()

    postgres.delete()
    assert list(UpstreamProject.objects.values_list("name", flat=True)) == ["Django", "htmx"]
