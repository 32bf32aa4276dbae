"""Who may read and keep the register, role by role, on the rules and their predicates.

The expected table is written here by hand, apart from `members/rules.py`.
"""

import pytest

from commun.members import rules
from commun.testing.matrix import MEMBERS, OFFICER, wrong_answers

pytestmark = pytest.mark.django_db

EXPECTED = {
    "read_directory": MEMBERS,
    "read_register": MEMBERS,
    "edit_cooperative": OFFICER,
    "edit_structure": OFFICER,
    "decide_application": OFFICER,
    "record_movement": OFFICER,
}


def test_the_table_names_every_action():
    assert set(EXPECTED) == rules.RULES.actions


def test_who_may_act(roles):
    assert not wrong_answers(rules, EXPECTED, roles)


def test_the_predicates_answer_by_role(roles, bob):
    def answered(predicate):
        return {role for role, who in roles.items() if predicate(who)}

    assert answered(rules.is_active_member) == MEMBERS
    assert answered(rules.is_officer) == OFFICER
    assert answered(rules.can_see_register) == MEMBERS
    # Bob's certificate: Bob himself and the officers.
    assert answered(lambda who: rules.can_see_certificate(who, bob)) == MEMBERS


def test_a_leaver_is_no_longer_an_officer(roles, alice):
    alice.status = alice.Status.LEAVING
    alice.save(update_fields=["status"])
    officer = type(roles["officer"]).objects.get(pk=roles["officer"].pk)
    assert not rules.is_officer(officer)
    assert not rules.may(officer, "record_movement")
