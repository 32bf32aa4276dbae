"""Share payments and repayments from the register are booked, and journaled, with it."""

import datetime
import json

import pytest

from commun.conftest import category, make_member
from commun.ledger.models import Account, JournalEntry, Transaction
from commun.members.models import Member, Repayment, ShareMovement


def balances():
    return {code: Account.objects.get(code=code).balance() for code in ("512", "101")}


def test_a_share_payment_posts_bank_and_capital_and_a_journal_entry(bob, coop):
    payment = ShareMovement.objects.get(member=bob, kind=ShareMovement.Kind.PAYMENT)

    booked = Transaction.objects.get(idempotency_key=f"register-{payment.number}")

    assert sorted(booked.postings.values_list("account__code", "amount_cents")) == [
        ("101", -5000),
        ("512", 5000),
    ]
    assert booked.date == payment.date
    assert balances() == {"512": 5000, "101": -5000}
    refs = list(JournalEntry.objects.values_list("ref", flat=True))
    assert refs == [
        "register-1",  # bob's subscription
        f"register-{payment.number}",
        f"transaction-{booked.number}",
    ]
    payload = json.loads(JournalEntry.objects.get(ref=f"register-{payment.number}").payload_json)
    assert payload["member"] == bob.number and payload["quantity"] == 1
    assert "Durand" not in JournalEntry.objects.get(ref=f"register-{payment.number}").payload_json


def test_bank_and_capital_follow_the_register(alice, bob):
    capital = sum(
        m.amount_cents if m.kind == "payment" else -m.amount_cents
        for m in ShareMovement.objects.filter(kind__in=["payment", "repayment"])
    )

    assert balances() == {"512": capital, "101": -capital} == {"512": 15_000, "101": -15_000}


def test_a_subscription_or_a_transfer_moves_no_money_but_is_journaled(alice, bob):
    before = Transaction.objects.count()

    transfer = ShareMovement.objects.record(
        ShareMovement.Kind.TRANSFER, alice, 1, counterpart=bob, reason="Cession"
    )

    assert Transaction.objects.count() == before
    entry = JournalEntry.objects.get(ref=f"register-{transfer.number}")
    assert json.loads(entry.payload_json)["counterpart"] == bob.number


def test_correcting_a_payment_posts_its_reversal(coop):
    member = make_member(
        "eve@example.org", "Eve", "Leroy", category("Partenaires"), shares=2, paid=False
    )
    payment = ShareMovement.objects.record(ShareMovement.Kind.PAYMENT, member, 2, reason="Vir.")
    paid = Transaction.objects.get(idempotency_key=f"register-{payment.number}")

    correction = ShareMovement.objects.record(
        ShareMovement.Kind.CORRECTION, member, 2, corrects=payment, reason="Virement rejeté"
    )

    reversal = Transaction.objects.get(idempotency_key=f"register-{correction.number}")
    assert reversal.reverses == paid
    assert balances() == {"512": 0, "101": 0}


def test_a_repayment_takes_the_capital_back_out_of_the_bank(alice, bob):
    member = Member.objects.get(pk=bob.pk)
    Repayment.objects.create(
        member=member,
        requested_on=datetime.date(2026, 1, 20),
        due_on=datetime.date(2026, 2, 1),
        shares=1,
        amount_cents=5000,
    )

    assert member.repayment.process(today=datetime.date(2026, 2, 2)) is True

    movement = ShareMovement.objects.get(member=bob, kind=ShareMovement.Kind.REPAYMENT)
    booked = Transaction.objects.get(idempotency_key=f"register-{movement.number}")
    assert sorted(booked.postings.values_list("account__code", "amount_cents")) == [
        ("101", 5000),
        ("512", -5000),
    ]
    assert balances() == {"512": 10_000, "101": -10_000}


@pytest.mark.django_db
def test_a_refused_movement_books_nothing(bob):
    before = (Transaction.objects.count(), JournalEntry.objects.count())

    with pytest.raises(Exception, match="négatif"):
        ShareMovement.objects.record(ShareMovement.Kind.REPAYMENT, bob, 5, reason="Trop")

    assert (Transaction.objects.count(), JournalEntry.objects.count()) == before
