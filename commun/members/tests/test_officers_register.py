"""Officers record payments, subscriptions, transfers, cancellations and corrections."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation

from commun.conftest import category, make_member
from commun.members.models import Cooperative, Member, ShareMovement

URL = reverse("officers:record_movement")


def record(client, kind, **fields):
    data = {
        "kind": kind,
        "date": timezone.localdate().isoformat(),
        "reason": "Virement",
        "authorised_by": "",
        **fields,
    }
    return client.post(URL, data)


def totals():
    return Member.objects.aggregate(subscribed=Sum("shares_subscribed"), paid=Sum("shares_paid"))


def test_a_payment_makes_the_member_active(people, coop):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), shares=3, paid=False)
    capital = Cooperative.get().capital_cents
    response = record(people["officer"], "payment", member=eve.number, quantity="")
    assert response.status_code == 302
    eve.refresh_from_db()
    assert eve.status == Member.Status.ACTIVE and eve.voice == 1
    assert eve.shares_paid == 3  # a blank quantity pays what remains subscribed
    payment = eve.movements.get(kind="payment")
    assert payment.recorded_by == Member.objects.get(is_officer=True).user
    assert payment.reason == "Virement"
    assert Cooperative.get().capital_cents == capital + 3 * 5000


def test_the_payment_form_suggests_the_unpaid_shares(people, coop):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), shares=4, paid=False)
    response = people["officer"].get(URL, {"kind": "payment", "member": eve.number})
    form = response.context["form"]
    assert form.initial == {"member": str(eve.number), "quantity": 4}


def test_a_payment_above_the_subscription_is_a_form_error_and_writes_nothing(people, bob):
    before = ShareMovement.objects.count(), totals()
    response = record(people["officer"], "payment", member=bob.number, quantity=1)
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"]
    assert (ShareMovement.objects.count(), totals()) == before


def test_a_movement_cannot_be_dated_in_the_future(people, coop):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), paid=False)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = record(people["officer"], "payment", member=eve.number, date=tomorrow.isoformat())
    assert "Un mouvement ne peut pas être daté dans le futur." in response.content.decode()
    assert not eve.movements.filter(kind="payment").exists()


def test_an_unknown_member_number_is_a_form_error(people):
    response = record(people["officer"], "payment", member=999)
    assert "Aucun·e associé·e ne porte le numéro 999." in response.content.decode()


def test_a_transfer_moves_paid_shares_and_keeps_the_totals(people, alice, bob):
    before, capital = totals(), Cooperative.get().capital_cents
    response = record(
        people["officer"],
        "transfer",
        member=alice.number,
        counterpart=bob.number,
        quantity=1,
        authorised_by="Conseil du 3 mars",
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.shares_subscribed, alice.shares_paid) == (1, 1)
    assert (bob.shares_subscribed, bob.shares_paid) == (2, 2)
    assert totals() == before
    assert Cooperative.get().capital_cents == capital
    transfer = ShareMovement.objects.get(kind="transfer")
    assert (transfer.member, transfer.counterpart) == (alice, bob)
    assert transfer.authorised_by == "Conseil du 3 mars"
    assert bob.voice == alice.voice == 1


def test_a_transfer_needs_an_authorisation_and_another_member(people, alice, bob):
    before = ShareMovement.objects.count()
    response = record(
        people["officer"], "transfer", member=alice.number, counterpart=bob.number, quantity=1
    )
    assert response.context["form"].errors["authorised_by"]
    response = record(
        people["officer"],
        "transfer",
        member=alice.number,
        counterpart=alice.number,
        quantity=1,
        authorised_by="AG",
    )
    assert "On ne cède pas de parts à soi-même." in response.content.decode()
    response = record(
        people["officer"],
        "transfer",
        member=alice.number,
        counterpart=bob.number,
        quantity=5,
        authorised_by="AG",
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert ShareMovement.objects.count() == before


def test_an_officer_adds_a_subscription_then_cancels_what_is_unpaid(people, bob):
    response = record(people["officer"], "subscription", member=bob.number, quantity=3)
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.shares_subscribed, bob.shares_paid) == (4, 1)
    response = record(people["officer"], "cancellation", member=bob.number, quantity=4)
    assert (
        "n'a que 3 parts souscrites non libérées" in response.context["form"].errors["quantity"][0]
    )
    response = record(people["officer"], "cancellation", member=bob.number, quantity=3)
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.shares_subscribed, bob.shares_paid) == (1, 1)


def test_a_correction_reverses_a_movement_and_cannot_be_made_twice(people, bob):
    payment = bob.movements.get(kind="payment")
    capital = Cooperative.get().capital_cents
    response = record(
        people["officer"], "correction", movement=payment.number, reason="Virement rejeté"
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.shares_paid == 0
    assert Cooperative.get().capital_cents == capital - 5000
    correction = ShareMovement.objects.get(kind="correction")
    assert (correction.corrects, correction.member, correction.quantity) == (payment, bob, 1)
    count = ShareMovement.objects.count()
    response = record(people["officer"], "correction", movement=payment.number, reason="Encore")
    assert response.context["form"].errors["movement"] == ["Ce mouvement a déjà été corrigé."]
    response = record(
        people["officer"], "correction", movement=correction.number, reason="Annuler l'annulation"
    )
    assert response.context["form"].errors["movement"]
    assert ShareMovement.objects.count() == count


def test_a_correction_needs_a_reason_and_an_existing_movement(people, bob):
    payment = bob.movements.get(kind="payment")
    response = record(people["officer"], "correction", movement=payment.number, reason="")
    assert response.context["form"].errors["reason"] == ["Une correction doit être motivée."]
    response = record(people["officer"], "correction", movement=9999, reason="Erreur")
    assert response.context["form"].errors["movement"]
    assert not ShareMovement.objects.filter(kind="correction").exists()


def test_an_impossible_correction_is_a_form_error(people, bob):
    # Cancelling the subscription of shares already paid would make paid > subscribed.
    subscription = bob.movements.get(kind="subscription")
    response = record(
        people["officer"], "correction", movement=subscription.number, reason="Erreur de saisie"
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not ShareMovement.objects.filter(kind="correction").exists()


def test_the_page_marks_the_chosen_kind_and_dates_in_iso_for_the_browser(people):
    html = people["officer"].get(URL, {"kind": "transfer"}).content.decode()
    assert 'href="?kind=transfer" aria-current="page"' in html
    assert html.count('aria-current="page"') == 2  # the officers' menu, and this kind
    assert f'type="date" name="date" value="{timezone.localdate().isoformat()}"' in html
    assert 'name="counterpart"' in html


def test_a_payment_dated_in_a_closed_year_is_a_date_error_and_writes_nothing(people, coop):
    from commun.ledger.models import Books

    eve = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), paid=False)
    Books.locked()
    Books.objects.filter(pk=1).update(closed_through_year=2025)
    before = ShareMovement.objects.count()
    response = record(people["officer"], "payment", member=eve.number, date="2025-12-30")
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert ShareMovement.objects.count() == before


CLOSED_2025 = (
    "L'exercice 2025 est clos : aucune écriture ne peut plus y être datée. Datez-la dans "
    "l'exercice ouvert."
)


def close_2025():
    from commun.ledger.models import Books

    Books.locked()
    Books.objects.filter(pk=1).update(closed_through_year=2025)


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("subscription", {"quantity": 2}),
        ("transfer", {"quantity": 1, "counterpart": "bob", "authorised_by": "Conseil"}),
    ],
)
def test_a_movement_dated_in_a_closed_year_is_a_date_error_and_writes_nothing(
    people, alice, bob, kind, fields
):
    from commun.ledger.models import JournalEntry

    close_2025()
    if fields.get("counterpart") == "bob":
        fields = fields | {"counterpart": bob.number}
    movements, entries = ShareMovement.objects.count(), JournalEntry.objects.count()
    held = (alice.shares_subscribed, alice.shares_paid)

    response = record(people["officer"], kind, member=alice.number, date="2025-12-30", **fields)

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [CLOSED_2025]
    assert (ShareMovement.objects.count(), JournalEntry.objects.count()) == (movements, entries)
    alice.refresh_from_db()
    assert (alice.shares_subscribed, alice.shares_paid) == held


def test_the_register_says_the_year_is_closed_in_english_too(alice):
    close_2025()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        ShareMovement.objects.record(
            "subscription", alice, 2, on=datetime.date(2025, 6, 1), reason="Late"
        )
    assert refused.value.message_dict["date"] == [
        "Fiscal year 2025 is closed: no transaction may be dated in it any more. "
        "Date it in the open fiscal year."
    ]
