"""Each payment on a mission names who was paid; with several people paid, the mission
page, the API and the review's text set what each was planned against what each got."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commun.budgets.models import MissionPayment
from commun.decisions.models import Decision
from commun.testing.api import bearer, call
from commun.testing.budgets import errors_by_field, shared_by_bob_and_gus, shown, snapshot

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 2, 2)


@pytest.fixture
def shared(alice, bob, gus):
    return shared_by_bob_and_gus(alice, bob, gus)


def pay(mission, by, **fields):
    values = {
        "kind": "invoice",
        "on": DAY,
        "label": "Facture",
        "amount_cents": 10_000,
        "idempotency_key": f"k-{MissionPayment.objects.count()}",
    }
    return mission.record_payment(by, **(values | fields))


def test_a_co_remuneration_is_paid_at_the_contributors_own_rate(shared, alice, gus):
    payment = pay(
        shared, alice, kind="co_remuneration", amount_cents=None, hours=8, contributor=gus
    )

    assert payment.contributor == gus
    assert payment.amount_cents == 8 * 5_000


def test_a_payment_without_a_name_pays_the_proposer(shared, alice, bob):
    assert pay(shared, alice).contributor == bob


def test_someone_not_paid_on_the_mission_is_refused_and_nothing_is_written(shared, alice):
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        pay(shared, alice, contributor=alice)

    assert "contributor" in refused.value.message_dict
    assert snapshot() == before


def test_the_page_and_the_api_set_planned_against_paid_for_each(shared, people, alice, bob, gus):
    pay(shared, alice, amount_cents=20_000)
    pay(shared, alice, kind="co_remuneration", amount_cents=None, hours=3, contributor=gus)

    page = people["visitor"].get(shared.get_absolute_url()).content.decode()
    detail = call(bearer(alice.user), "GET", f"/missions/{shared.pk}").json()

    assert "Prévu et payé pour chaque personne" in page
    assert shown(50_000) in page and shown(15_000) in page
    assert [
        (row["member_number"], row["planned_cents"], row["paid_cents"])
        for row in detail["paid_by_contributor"]
    ] == [(bob.number, 60_000, 20_000), (gus.number, 50_000, 15_000)]
    assert {p["contributor_number"] for p in detail["payments"]} == {bob.number, gus.number}


def test_the_page_form_names_who_is_paid(shared, people, gus):
    response = people["officer"].post(
        reverse("budgets:payment_new", args=[shared.pk]),
        {
            "payment-kind": "co_remuneration",
            "payment-date": DAY.isoformat(),
            "payment-label": "Heures de Gus",
            "payment-hours": "2",
            "payment-contributor_number": str(gus.number),
            "payment-idempotency_key": "page",
        },
    )

    assert response.status_code == 302
    assert MissionPayment.objects.get().contributor == gus


def test_the_api_refuses_an_unknown_or_unpaid_person_on_its_field(shared, alice):
    for number in (999_999, alice.number):
        before = snapshot()
        response = call(
            bearer(alice.user),
            "POST",
            f"/missions/{shared.pk}/payments",
            {
                "kind": "invoice",
                "date": DAY.isoformat(),
                "label": "Facture",
                "amount_cents": 1_000,
                "contributor_number": number,
                "idempotency_key": f"api-{number}",
            },
        )
        assert response.status_code == 422, response.json()
        assert "contributor_number" in errors_by_field(response)
        assert snapshot() == before


def test_the_review_text_lists_each_persons_planned_and_paid(shared, alice, bob, gus):
    pay(shared, alice, amount_cents=60_000)

    shared.ask_review(bob, "Livré.")

    text = Decision.objects.get(pk=shared.review_decision_id).current_version.body
    assert "Prévu et payé pour chaque personne" in text
    assert f"Associé·e n°{gus.number} | {shown(50_000)} | {shown(0)}" in text
    assert gus.last_name not in text
