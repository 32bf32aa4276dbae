"""Leaving: repayment at nominal value after the statutes' delay, deferred under the floor."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from commun.conftest import category, make_member
from commun.members.models import Cooperative, Member, Repayment, ShareMovement

RESIGNED_ON = datetime.date(2025, 3, 31)


def founder(email, shares, paid=True):
    """A member of the only category that is not mandatory: they may leave freely."""
    return make_member(email, "Fon", "Dateur", category("Responsables"), shares=shares, paid=paid)


def test_a_resignation_schedules_the_repayment_after_the_statutes_delay(people, coop):
    coop.repayment_delay_months = 6
    coop.save(update_fields=["repayment_delay_months"])  # a full save would reset the counters
    eve = founder("eve@example.org", 3)
    response = people["officer"].post(
        reverse("officers:record_resignation"), {"member": eve.number, "date": "2025-08-31"}
    )
    assert response.status_code == 302
    eve.refresh_from_db()
    assert eve.status == Member.Status.LEAVING and eve.voice == 0
    repayment = eve.repayment
    assert repayment.due_on == datetime.date(2026, 2, 28)  # six months, end of month kept
    assert (repayment.shares, repayment.amount_cents) == (3, 3 * 5000)
    assert repayment.status == Repayment.Status.SCHEDULED
    assert repayment.requested_by == Member.objects.get(is_officer=True).user


def test_it_is_not_repaid_before_the_delay(alice, bob):
    eve = founder("eve@example.org", 2)
    repayment = eve.resign(on=RESIGNED_ON)
    capital = Cooperative.get().capital_cents
    assert repayment.process(today=repayment.due_on - datetime.timedelta(days=1)) is False
    repayment.refresh_from_db()
    assert repayment.status == Repayment.Status.SCHEDULED
    assert Cooperative.get().capital_cents == capital
    assert Member.objects.get(pk=eve.pk).status == Member.Status.LEAVING
    assert repayment.process(today=repayment.due_on) is True


def test_a_paid_repayment_lets_the_member_leave_and_lowers_the_capital(alice, bob):
    eve = founder("eve@example.org", 2)
    capital = Cooperative.get().capital_cents
    repayment = eve.resign(on=RESIGNED_ON)
    assert repayment.process(today=repayment.due_on) is True
    eve.refresh_from_db()
    assert (eve.status, eve.left_on) == (Member.Status.LEFT, repayment.due_on)
    assert (eve.shares_subscribed, eve.shares_paid, eve.voice) == (0, 0, 0)
    assert Cooperative.get().capital_cents == capital - 2 * 5000
    repayment.refresh_from_db()
    assert repayment.status == Repayment.Status.PAID
    assert repayment.amount_cents == 2 * 5000
    assert (repayment.movement.kind, repayment.movement.quantity) == ("repayment", 2)
    assert repayment.process(today=repayment.due_on) is False  # never twice


def test_unpaid_shares_are_cancelled_when_the_member_leaves(alice, bob):
    eve = founder("eve@example.org", 3, paid=False)
    ShareMovement.objects.record(ShareMovement.Kind.PAYMENT, eve, 2)
    repayment = eve.resign(on=RESIGNED_ON)
    assert repayment.process(today=repayment.due_on)
    kinds = list(eve.movements.order_by("number").values_list("kind", "quantity"))
    assert kinds[-2:] == [("repayment", 2), ("cancellation", 1)]


def test_it_is_deferred_when_capital_would_fall_under_a_quarter_of_the_highest(alice):
    big = founder("big@example.org", 10)
    coop = Cooperative.get()
    assert (coop.capital_cents, coop.capital_floor_cents) == (12 * 5000, 3 * 5000)
    repayment = big.resign(on=RESIGNED_ON)
    # 600 € − 500 € = 100 €, under the floor of 150 €.
    assert repayment.process(today=repayment.due_on) is False
    repayment.refresh_from_db()
    assert repayment.status == Repayment.Status.DEFERRED
    assert "quart du plus haut capital" in repayment.deferred_note
    assert Cooperative.get().capital_cents == 12 * 5000
    assert not ShareMovement.objects.filter(kind="repayment").exists()
    assert Member.objects.get(pk=big.pk).status == Member.Status.LEAVING

    # New capital comes in: 1,100 € − 500 € stays above the new floor of 275 €.
    founder("new@example.org", 10)
    assert repayment.process(today=repayment.due_on + datetime.timedelta(days=30)) is True
    assert Cooperative.get().capital_cents == 12 * 5000
    assert Cooperative.get().capital_high_water_cents == 22 * 5000


def test_the_mandatory_category_guard_is_a_form_error(people, bob):
    response = people["officer"].post(
        reverse("officers:record_resignation"), {"member": bob.number, "date": "2025-08-31"}
    )
    assert response.status_code == 200
    assert "est obligatoire et resterait vide" in response.context["form"].non_field_errors()[0]
    assert Member.objects.get(pk=bob.pk).status == Member.Status.ACTIVE
    assert not Repayment.objects.exists()


def test_a_resignation_cannot_be_dated_in_the_future(people, coop):
    eve = founder("eve@example.org", 2)
    response = people["officer"].post(
        reverse("officers:record_resignation"), {"member": eve.number, "date": "2999-01-01"}
    )
    assert response.context["form"].errors["date"]
    assert not Repayment.objects.exists()


def test_officers_process_due_repayments_from_the_page(people, alice, bob):
    eve = founder("eve@example.org", 2)
    big = founder("big@example.org", 20)
    eve.resign(on=RESIGNED_ON)
    big.resign(on=RESIGNED_ON + datetime.timedelta(days=1))
    response = people["officer"].post(reverse("officers:process_repayments"), follow=True)
    html = response.content.decode()
    assert "parts remboursées" in html
    assert "remboursement différé" in html
    assert Repayment.objects.get(member=eve).status == Repayment.Status.PAID
    assert Repayment.objects.get(member=big).status == Repayment.Status.DEFERRED
    page = people["officer"].get(reverse("officers:repayments")).content.decode()
    assert "quart du plus haut capital" in page


def test_nothing_due_is_said_plainly(people):
    response = people["officer"].post(reverse("officers:process_repayments"), follow=True)
    assert "Aucun remboursement n&#x27;est échu." in response.content.decode()


@pytest.mark.parametrize("shares, expected", [(2, "Remboursé"), (20, "Différé")])
def test_the_command_processes_due_repayments_and_says_what_it_did(alice, bob, shares, expected):
    member = founder("eve@example.org", shares)
    repayment = member.resign(on=RESIGNED_ON)
    out = io.StringIO()
    call_command(
        "process_repayments",
        date=(repayment.due_on - datetime.timedelta(days=1)).isoformat(),
        stdout=out,
    )
    assert "Aucun remboursement échu" in out.getvalue()
    out = io.StringIO()
    call_command("process_repayments", date=repayment.due_on.isoformat(), stdout=out)
    assert expected in out.getvalue() and member.full_name in out.getvalue()
