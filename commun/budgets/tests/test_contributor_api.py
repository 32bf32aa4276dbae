"""The API lists, adds, changes and removes a draft mission's co-contributors; a wrong
member, a second share or a bad amount answers 422 on its field, and nothing is written."""

import pytest

from commun.budgets.models import BudgetSettings, MissionContributor
from commun.testing.api import call
from commun.testing.budgets import draft, errors_by_field, invoice, snapshot

pytestmark = pytest.mark.django_db

HOURS = {"pay_form": "co_remuneration", "estimated_hours": 10, "hourly_rate_cents": 5_000}


def test_the_proposer_adds_lists_changes_and_removes_a_contributor(member_api, bob, gus):
    mission = draft(bob, **invoice(100_000))
    path = f"/missions/{mission.pk}/contributors"

    added = call(member_api, "POST", path, HOURS | {"member_number": gus.number})

    assert added.status_code == 201, added.json()
    share = added.json()
    assert (share["member_number"], share["hourly_rate_cents"]) == (gus.number, 5_000)
    assert [row["id"] for row in call(member_api, "GET", path).json()] == [share["id"]]
    detail = call(member_api, "GET", f"/missions/{mission.pk}").json()
    assert detail["cost_breakdown"] == {} and mission.cost().total_cents == 150_000

    changed = call(
        member_api, "PUT", f"{path}/{share['id']}", {"pay_form": "expenses", "amount_cents": 700}
    )
    assert changed.status_code == 200, changed.json()
    assert MissionContributor.objects.get().amount_cents == 700
    assert mission.cost().total_cents == 100_700

    assert call(member_api, "DELETE", f"{path}/{share['id']}").status_code == 204
    assert not MissionContributor.objects.exists()


@pytest.mark.parametrize(
    ("who", "body", "field"),
    [
        ("unknown", {}, "member_number"),
        ("proposer", {}, "member_number"),
        ("twice", {}, "member_number"),
        ("alice", {"estimated_hours": -3}, "estimated_hours"),
        ("alice", {"pay_form": "invoice"}, "amount_cents"),
        ("alice", {"pay_form": "salaried"}, "contract"),
    ],
)
def test_bad_input_answers_422_on_its_field(member_api, alice, bob, gus, who, body, field):
    mission = draft(bob, **invoice(100_000))
    mission.add_contributor(bob, gus, pay_form="expenses", amount_cents=1)
    BudgetSettings.get()
    number = {"unknown": 999_999, "proposer": bob.number, "twice": gus.number}.get(
        who, alice.number
    )
    before = snapshot()

    response = call(
        member_api,
        "POST",
        f"/missions/{mission.pk}/contributors",
        HOURS | {"member_number": number} | body,
    )

    assert response.status_code == 422, response.json()
    assert field in errors_by_field(response), response.json()
    assert snapshot() == before
