"""Role × action matrices: who each role is, and what a rules table answers for each.

A pytest plugin (listed in `commun/conftest.py`). The roles are the shared named people:
nobody (a visitor), Carol who applied, Dan who has an account only, Bob a member, Alice an
officer. Each app's matrix test writes its expected table by hand, apart from `rules.py`.
"""

import pytest
from django.core.exceptions import PermissionDenied

ROLES = ("visitor", "applicant", "account", "member", "officer")
NOBODY: frozenset[str] = frozenset()
OFFICER = frozenset({"officer"})
MEMBERS = frozenset({"member", "officer"})


@pytest.fixture
def roles(alice, bob, carol, dan) -> dict:
    """Each role as the model methods receive it: a user, or None for a visitor."""
    return {
        "visitor": None,
        "applicant": carol.user,
        "account": dan,
        "member": bob.user,
        "officer": alice.user,
    }


def who_may(rules, action: str, people: dict, *about) -> frozenset[str]:
    """The roles that `rules.may` lets take `action` (about `about`)."""
    return frozenset(role for role, who in people.items() if rules.may(who, action, *about))


def wrong_answers(rules, expected: dict, people: dict, *about) -> dict:
    """{action: (expected roles, answered roles)} for every action answered otherwise."""
    answered = {action: who_may(rules, action, people, *about) for action in expected}
    return {
        action: (set(expected[action]), set(answered[action]))
        for action in expected
        if answered[action] != expected[action]
    }


def refused(run) -> bool:
    """Whether `run()` raises PermissionDenied (a model method asked by someone refused)."""
    try:
        run()
    except PermissionDenied:
        return True
    return False
