"""Who may act on needs and missions, role by role, on the rules and on the model methods.

The expected table is written here by hand, apart from `budgets/rules.py`. Bob (the
member) raised the need and proposes the mission, a draft.
"""

import datetime

import pytest

from commun.budgets import rules
from commun.budgets.models import Mission, Need, RecurringIncome
from commun.testing.budgets import draft, invoice, need_by
from commun.testing.matrix import MEMBERS, OFFICER, ROLES, refused, wrong_answers

pytestmark = pytest.mark.django_db

PROPOSER = frozenset({"member"})
ABOUT_NOTHING = {
    "raise_need": MEMBERS,
    "propose_mission": MEMBERS,
    "edit_settings": OFFICER,
    "manage_income": OFFICER,
}
ABOUT_THE_NEED = {
    "support_need": MEMBERS,
    "set_need_status": MEMBERS,  # its author, or an officer
}
ABOUT_THE_MISSION = {
    "edit_mission": PROPOSER,
    "manage_contributors": PROPOSER,
    "submit_mission": PROPOSER,
    "amend_mission": PROPOSER,
    "withdraw_mission": PROPOSER,
    "ask_review": MEMBERS,  # its proposer, or an officer
    "ask_top_up": MEMBERS,
    "recompute_cost": MEMBERS,  # its proposer, or an officer
    "record_payment": OFFICER,
    "cancel_payment": OFFICER,
}


def test_the_tables_name_every_action():
    named = ABOUT_NOTHING.keys() | ABOUT_THE_NEED.keys() | ABOUT_THE_MISSION.keys()
    assert named == rules.RULES.actions


def test_who_may_act(roles, bob):
    mission = draft(bob)
    assert not wrong_answers(rules, ABOUT_NOTHING, roles)
    assert not wrong_answers(rules, ABOUT_THE_NEED, roles, mission.need)
    assert not wrong_answers(rules, ABOUT_THE_MISSION, roles, mission)


def test_the_model_methods_ask_the_rules(roles, bob):
    need = need_by(bob)
    mission = draft(bob, need)
    refusing = {
        "raise_need": (
            ROLES[:3],
            lambda who: Need.objects.raise_need(who, title="Un besoin", description="Pourquoi."),
        ),
        "propose_mission": (
            ROLES[:3],
            lambda who: Mission.objects.propose(who, need, **invoice(1_000)),
        ),
        "set_need_status": (ROLES[:3], lambda who: need.set_status(who, "met", "Fait.")),
        "submit_mission": (("visitor", "account", "officer"), lambda who: mission.submit(who)),
        "manage_income": (
            ("visitor", "account", "member"),
            lambda who: RecurringIncome.add(
                who, label="Subvention", amount_cents=100_000, starts_on=datetime.date(2027, 1, 5)
            ),
        ),
    }
    for action, (refused_roles, write) in refusing.items():
        for role in refused_roles:
            assert refused(lambda write=write, role=role: write(roles[role])), (action, role)
    assert not refused(lambda: mission.submit(roles["member"]))
