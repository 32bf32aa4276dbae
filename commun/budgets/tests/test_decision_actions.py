"""A decision's `actions` in the API offer what its endpoints accept, whatever it decides.

A decision on a mission or a top-up has a generated text: its author amends the mission,
never the text. The API must not offer `amend` on it, and must still offer it on a decision
whose text is typed by hand.
"""

import pytest

from commun.decisions.models import Decision
from commun.testing.api import bearer, call
from commun.testing.budgets import adopt, fund, submitted
from commun.testing.decisions import opened


def integrating(decision: Decision, author, objector) -> Decision:
    """`decision` in its objection round, an objection taken up to integrate."""
    if decision.phase != Decision.Phase.OBJECTIONS:
        decision.advance(author)
        decision.advance(author)
    decision.current_round.take_stance(objector, "objection", "Pas comme ça.")
    decision.objections.get().begin_integration(author)
    return Decision.objects.get(pk=decision.pk)


def plain_in_clarification(bob, alice) -> Decision:
    return opened(bob)


def plain_integrating(bob, alice) -> Decision:
    return integrating(opened(bob), bob, alice)


def mission_integrating(bob, alice) -> Decision:
    fund(1_000_000)
    mission = submitted(bob)
    return integrating(Decision.objects.get(pk=mission.decision_id), bob, alice)


def top_up_integrating(bob, alice) -> Decision:
    fund(1_000_000)
    mission = submitted(bob)
    adopt(mission, bob)
    top_up = mission.ask_top_up(bob, 10_000, "Deux semaines de plus.")
    return integrating(Decision.objects.get(pk=top_up.decision_id), bob, alice)


@pytest.mark.parametrize(
    "make",
    [plain_in_clarification, plain_integrating, mission_integrating, top_up_integrating],
)
def test_amend_is_offered_exactly_when_the_amend_endpoint_accepts_it(alice, bob, make):
    decision = make(bob, alice)
    author = bearer(bob.user)

    actions = call(author, "GET", f"/decisions/{decision.pk}").json()["actions"]
    amended = call(
        author,
        "POST",
        f"/decisions/{decision.pk}/versions",
        {"title": "Un autre titre", "body": "Un autre texte, écrit à la main."},
    )

    assert amended.status_code in (201, 422), amended.json()
    assert ("amend" in actions) == (amended.status_code == 201), (actions, amended.json())
