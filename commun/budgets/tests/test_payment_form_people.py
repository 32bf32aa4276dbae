"""The payment form picks who was paid among the people paid on the mission, by the name
the officer is shown; a forged POST naming anyone else is refused on its field, and
nothing is written."""

import datetime

import pytest
from django.urls import reverse

from commun.budgets.models import MissionPayment
from commun.testing.budgets import shared_by_bob_and_gus, snapshot

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 2, 2)


@pytest.fixture
def shared(alice, bob, gus):
    return shared_by_bob_and_gus(alice, bob, gus)


def payment(who: str) -> dict:
    return {
        "payment-kind": "invoice",
        "payment-date": DAY.isoformat(),
        "payment-label": "Facture",
        "payment-amount": "100",
        "payment-contributor_number": who,
        "payment-idempotency_key": f"page-{who}",
    }


def test_the_form_offers_the_people_paid_by_their_shown_names(shared, people, alice, bob, gus):
    page = people["officer"].get(shared.get_absolute_url())

    field = page.context["payment_form"]["contributor_number"]
    assert field.field.choices == [
        (bob.number, bob.name_for(alice)),
        (gus.number, gus.name_for(alice)),
    ]
    html = page.content.decode()
    assert '<select name="payment-contributor_number"' in html
    assert f'<option value="{bob.number}" selected>' in html


def test_the_officer_picks_a_contributor_and_the_payment_names_them(shared, people, gus):
    response = people["officer"].post(
        reverse("budgets:payment_new", args=[shared.pk]), payment(str(gus.number))
    )

    assert response.status_code == 302
    assert MissionPayment.objects.get().contributor == gus


@pytest.mark.parametrize("who", ["alice", "999999", "abc"])
def test_a_forged_person_is_refused_on_its_field_and_nothing_is_written(shared, people, alice, who):
    number = str(alice.number) if who == "alice" else who
    before = snapshot()

    response = people["officer"].post(
        reverse("budgets:payment_new", args=[shared.pk]), payment(number)
    )

    assert response.status_code == 422
    assert response.context["payment_form"].errors["contributor_number"]
    assert snapshot() == before
