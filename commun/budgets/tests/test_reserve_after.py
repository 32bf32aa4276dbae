"""« Après cette mission »: the available reserve once the mission holds its cost, counted once.

Submitted, a mission's cost is still in the available reserve: the page takes it out. Once
adopted, the ledger has already moved it to the mission's commitment: the page must not take
it out a second time, and agrees with the treasury's figures.
"""

import pytest
from django.core.exceptions import ValidationError

from commun.ledger import funds
from commun.testing.budgets import adopt, fund, invoice, submitted


def test_the_mission_page_takes_the_missions_cost_out_of_the_reserve_once(people, bob):
    fund(1_000_000)
    mission = submitted(bob, **invoice(100_000))
    cost = mission.full_cost_cents
    assert cost > 0

    before = people["member"].get(mission.get_absolute_url()).context
    assert (before["available"], before["after"]) == (1_000_000, 1_000_000 - cost)

    assert adopt(mission, bob) == "adopted"
    after = people["member"].get(mission.get_absolute_url()).context
    assert funds.available_cents() == 1_000_000 - cost
    assert (after["available"], after["after"]) == (1_000_000 - cost, 1_000_000 - cost)


def test_the_decision_text_and_the_adoption_guard_agree_with_the_page(people, bob):
    fund(150_000)
    first = submitted(bob, **invoice(100_000))
    second = submitted(bob, **invoice(100_000))
    adopt(first, bob)

    # The second mission would leave the reserve short: the page says so, and adoption refuses.
    page = people["member"].get(second.get_absolute_url()).context
    assert page["after"] == funds.available_cents() - second.full_cost_cents < 0
    with pytest.raises(ValidationError):
        adopt(second, bob)
    second.refresh_from_db()
    assert second.status == "submitted"
