"""Who may do what at each step: visitor, applicant, account, member, member of another
college, author, officer.

The expected tables are written out here by hand, apart from `rules.py`.
"""

import pytest
from django.core.exceptions import PermissionDenied

from commun.conftest import category, make_member
from commun.decisions import rules
from commun.decisions.models import AdviceRequest, Decision, Objection
from commun.deliberation.models import Circle, Space
from commun.members.models import College
from commun.testing.decisions import opened, propose

PHASE_ALLOWS = {
    "draft": {"open", "withdraw"},
    "clarification": {"ask", "amend", "advance", "withdraw"},
    "reactions": {"react", "amend", "advance", "withdraw"},
    "objections": {
        "take_stance",
        "begin_integration",
        "dismiss_objection",
        "withdraw_objection",
        "resolve_objection",
        "close",
        "withdraw",
    },
    "integration": {
        "amend",
        "begin_integration",
        "dismiss_objection",
        "withdraw_objection",
        "start_new_round",
        "withdraw",
    },
    "advice": {"give_advice", "record_advice_decision", "withdraw"},
    "voting": {"take_stance", "close", "withdraw"},
    # Only while a tie left to the chair awaits its casting vote (set in the test below).
    "closed": {"cast_deciding_vote"},
}
# "member" is eligible (same college as the author), raised the objection and was asked
# for advice; "other_college" and "officer" are not eligible (the users' college decides).
ROLES_MAY = {
    "open": {"author"},
    "ask": {"author", "member"},
    "react": {"author", "member"},
    "amend": {"author"},
    "advance": {"author"},
    "take_stance": {"author", "member"},
    "begin_integration": {"author"},
    "dismiss_objection": {"author", "officer"},
    "withdraw_objection": {"member"},
    "resolve_objection": {"member"},
    "start_new_round": {"author"},
    "close": {"author", "officer"},
    "withdraw": {"author"},
    "give_advice": {"member"},
    "record_advice_decision": {"author"},
    "cast_deciding_vote": {"officer"},
}


@pytest.fixture
def setting(roles, alice, bob):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    frank = make_member("frank@example.org", "Frank", "Morel", category("Contrib"))
    users = College.objects.get(name__startswith="Usager")
    decision = opened(bob, "consent", scope="colleges", colleges=[users])
    decision.advance(bob)
    decision.advance(bob)
    objection = Objection.objects.create(
        decision=decision, round=decision.current_round, author=eve, reason="Trop cher."
    )
    # Not how advice is asked (that is an advice decision), but it puts an advisor here.
    AdviceRequest.objects.create(decision=decision, advisor=eve)
    # The shared roles (`commun.testing.matrix`), with the people this decision needs.
    people = {
        "visitor": roles["visitor"],
        "applicant": roles["applicant"],
        "account": roles["account"],
        "member": eve,
        "other_college": frank,
        "author": bob,
        "officer": alice,
    }
    return decision, objection, people


def test_the_tables_name_every_action():
    assert set(ROLES_MAY) == rules.ACTIONS
    assert {p.value for p in Decision.Phase} == set(PHASE_ALLOWS)
    assert {k: set(v) for k, v in rules.ACTIONS_BY_PHASE.items()} == PHASE_ALLOWS


@pytest.mark.parametrize("phase", list(PHASE_ALLOWS))
def test_who_may_act_at_each_step(setting, phase):
    decision, objection, people = setting
    decision.phase = phase  # in memory only: `may` reads the step, not the database
    if phase == "closed":  # a tie left to the chair, awaiting its casting vote
        decision.outcome = Decision.Outcome.TIED
        decision.result = {"tied": ["yes", "no"], "tie_break": {"rule": "chair"}}

    got = {
        (role, action): rules.may(who, action, decision, objection)
        for role, who in people.items()
        for action in sorted(rules.ACTIONS)
    }

    expected = {
        (role, action): action in PHASE_ALLOWS[phase] and role in ROLES_MAY[action]
        for role in people
        for action in sorted(rules.ACTIONS)
    }
    wrong = sorted(key for key in got if got[key] != expected[key])
    assert not wrong, f"at step {phase}, wrong answers for {wrong}"


def test_once_the_chair_has_settled_nobody_may_cast_again(setting):
    decision, objection, people = setting
    decision.phase, decision.outcome = "closed", Decision.Outcome.TIED
    decision.result = {"tied": ["yes", "no"], "tie_break": {"rule": "chair", "chosen": "yes"}}
    assert not any(rules.may(who, "cast_deciding_vote", decision) for who in people.values())


def test_users_stand_for_their_membership(setting):
    decision, objection, people = setting
    assert rules.may(people["author"].user, "take_stance", decision)
    assert not rules.may(people["account"], "take_stance", decision)


def test_a_refusal_says_why_in_french(setting):
    decision, objection, people = setting
    with pytest.raises(PermissionDenied) as error:
        rules.require(None, "take_stance", decision)
    assert str(error.value) == "Seul·es les associé·es peuvent se prononcer."
    with pytest.raises(PermissionDenied) as error:
        rules.require(people["author"], "amend", decision)
    assert "« Tour d'objections »" in str(error.value)


def test_the_model_methods_ask_the_rules(setting):
    decision, objection, people = setting
    with pytest.raises(PermissionDenied):
        decision.current_round.take_stance(people["other_college"], "consent")
    with pytest.raises(PermissionDenied):
        objection.begin_integration(people["officer"])
    with pytest.raises(PermissionDenied):
        decision.close(by=people["member"])
    with pytest.raises(PermissionDenied):
        objection.withdraw(people["author"])


def test_allowed_actions_lists_the_buttons_to_show(setting):
    decision, objection, people = setting
    assert rules.allowed_actions(people["author"], decision) == {
        "take_stance",
        "begin_integration",
        "dismiss_objection",
        "close",
        "withdraw",
    }
    assert rules.allowed_actions(None, decision) == set()


# Reading -----------------------------------------------------------------------------------


def test_a_public_decision_in_a_public_space_is_read_by_visitors(alice, bob, dan):
    space = Space.objects.cooperative()
    space.visibility = Space.Visibility.PUBLIC
    space.save()
    decision = opened(bob, "consent")
    members_only = opened(bob, "consent", visibility="members")

    assert rules.can_read(None, decision) and rules.can_read(dan, decision)
    assert not rules.can_read(None, members_only) and not rules.can_read(dan, members_only)
    assert rules.can_read(alice, members_only)
    assert set(Decision.objects.readable_by(None)) == {decision}
    assert set(Decision.objects.readable_by(alice)) == {decision, members_only}


def test_a_members_space_hides_even_a_public_decision_from_visitors(alice, bob):
    decision = opened(bob, "consent")  # the cooperative space is for members by default
    assert not rules.can_read(None, decision)
    assert rules.can_read(alice, decision)


def test_a_draft_is_read_by_its_author_only(alice, bob):
    draft = propose(bob)
    assert rules.can_read(bob, draft)
    assert not rules.can_read(alice, draft)
    assert list(Decision.objects.readable_by(bob)) == [draft]
    assert not Decision.objects.readable_by(alice).exists()


def test_a_circle_only_decision_is_read_by_the_circle(alice, bob):
    circle = Circle.found("Finances", "", by=bob, visibility=Space.Visibility.CIRCLE)
    decision = opened(bob, "consent", space=Space.objects.for_circle(circle), scope="circle")
    assert rules.can_read(bob, decision)
    assert not rules.can_read(alice, decision)
    assert not Decision.objects.readable_by(alice).exists()
