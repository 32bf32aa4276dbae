"""The mission page lets its proposer choose, while it is a draft, who else is paid on it
and how; a wrong member, a second share or a bad amount is refused on its field."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from commun.budgets.models import BudgetSettings, MissionContributor
from commun.conftest import client_for
from commun.testing.budgets import draft, fund, invoice, shown, snapshot

pytestmark = pytest.mark.django_db

HOURS = {
    "contributor-pay_form": "co_remuneration",
    "contributor-estimated_hours": "10",
    "contributor-hourly_rate": "50",
}


def add(client, mission, **fields):
    return client.post(reverse("budgets:contributor_new", args=[mission.pk]), HOURS | fields)


def test_the_proposer_adds_a_contributor_and_the_cost_adds_theirs(people, bob, gus):
    mission = draft(bob, **invoice(100_000))

    response = add(people["member"], mission, **{"contributor-member_number": str(gus.number)})

    assert response.status_code == 302
    share = MissionContributor.objects.get(mission=mission)
    assert (share.member, share.estimated_hours, share.hourly_rate_cents) == (gus, 10, 5_000)
    page = people["member"].get(mission.get_absolute_url()).content.decode()
    assert gus.name_for(bob) in page and "Qui est payé sur cette mission" in page
    assert shown(100_000 + 50_000) in page and shown(50_000) in page


def test_the_proposer_edits_then_removes_a_contributor(people, bob, gus):
    mission = draft(bob, **invoice(100_000))
    share = mission.add_contributor(bob, gus, pay_form="expenses", amount_cents=10_000)
    edit = reverse("budgets:contributor_edit", args=[mission.pk, share.pk])

    assert people["member"].get(edit).status_code == 200
    response = people["member"].post(
        edit, {"contributor-pay_form": "expenses", "contributor-amount": "250"}
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.amount_cents == 25_000

    remove = reverse("budgets:contributor_remove", args=[mission.pk, share.pk])
    assert people["member"].post(remove).status_code == 302
    assert not MissionContributor.objects.filter(mission=mission).exists()


@pytest.mark.parametrize(
    ("who", "fields", "field", "message"),
    [
        ("999999", {}, "member_number", "Aucun·e associé·e"),
        ("abc", {}, "member_number", "Saisissez un numéro"),
        ("proposer", {}, "member_number", "déjà payée"),
        ("gus", {}, "member_number", "contribue déjà"),
        ("alice", {"contributor-estimated_hours": "-3"}, "estimated_hours", "négatif"),
        ("alice", {"contributor-pay_form": "invoice"}, "amount", "montant hors taxes"),
        ("alice", {"contributor-vat_rate": "150"}, "vat_rate", "taux de TVA"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(
    people, alice, bob, gus, who, fields, field, message
):
    mission = draft(bob, **invoice(100_000))
    mission.add_contributor(bob, gus, pay_form="expenses", amount_cents=1)
    BudgetSettings.get()  # made on first reading: not something this request writes
    number = {"proposer": bob.number, "gus": gus.number, "alice": alice.number}.get(who, who)
    before = snapshot(), list(MissionContributor.objects.values_list("pk", "amount_cents"))

    response = add(
        people["member"], mission, **{"contributor-member_number": str(number)}, **fields
    )

    assert response.status_code == 422
    errors = response.context["contributor_form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert (snapshot(), list(MissionContributor.objects.values_list("pk", "amount_cents"))) == (
        before
    )


def test_the_errors_are_in_the_readers_language(people, bob):
    mission = draft(bob, **invoice(100_000))
    with translation.override("en"):
        response = people["member"].post(
            reverse("budgets:contributor_new", args=[mission.pk]),
            HOURS | {"contributor-member_number": str(bob.number)},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 422
    assert "already paid" in " ".join(response.context["contributor_form"].errors["member_number"])


def test_another_member_or_an_officer_cannot_touch_a_draft(people, bob, gus, alice):
    mission = draft(bob, **invoice(100_000))
    share = mission.add_contributor(bob, gus, pay_form="expenses", amount_cents=1)
    before = list(MissionContributor.objects.values_list("pk", "member", "amount_cents"))
    posts = [
        (reverse("budgets:contributor_new", args=[mission.pk]), HOURS),
        (reverse("budgets:contributor_edit", args=[mission.pk, share.pk]), HOURS),
        (reverse("budgets:contributor_remove", args=[mission.pk, share.pk]), {}),
    ]
    for client in (client_for(gus.user), people["officer"], people["account"]):
        for url, data in posts:
            assert client.post(url, data | {"contributor-member_number": "1"}).status_code in (
                403,
                404,
            )
    assert list(MissionContributor.objects.values_list("pk", "member", "amount_cents")) == before


def test_a_submitted_mission_no_longer_changes_its_contributors(people, bob, gus):
    fund(1_000_000)
    mission = draft(bob, **invoice(100_000))
    share = mission.add_contributor(bob, gus, pay_form="expenses", amount_cents=1_000)
    mission.submit(bob)

    refused = people["member"].post(
        reverse("budgets:contributor_remove", args=[mission.pk, share.pk])
    )

    assert refused.status_code == 403
    assert MissionContributor.objects.filter(pk=share.pk).exists()
    page = people["visitor"].get(mission.get_absolute_url()).content.decode()
    assert gus.name_for(None) in page and shown(1_000) in page


def test_a_start_the_engine_cannot_price_is_refused_for_a_salaried_contributor(people, bob, gus):
    """The proposer bills an invoice, Gus is salaried: moving the start beyond what the
    payroll engine prices is refused on the start's field, as for a salaried proposer."""
    mission = draft(bob, **invoice(100_000))
    mission.add_contributor(
        bob,
        gus,
        pay_form="salaried",
        contract="cdd",
        working_time_percent=100,
        amount_basis="net",
        monthly_amount_cents=200_000,
    )
    too_far = datetime.date(datetime.date.today().year + 11, 1, 1)
    values = {
        "title": mission.title,
        "scope": mission.scope,
        "deliverables": mission.deliverables,
        "start_on": too_far.isoformat(),
        "duration_months": "6",
        "pay_form": "invoice",
        "amount": "1000",
        "vat_rate": "0",
    }

    answer = people["member"].post(reverse("budgets:mission_edit", args=[mission.pk]), values)

    assert answer.status_code == 422
    assert "start_on" in answer.context["form"].errors
    mission.refresh_from_db()
    assert mission.start_on != too_far
