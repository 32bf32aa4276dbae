"""Who may act in the cooperative's space, role by role, on the rules and the model methods.

The expected table is written here by hand, apart from `deliberation/rules.py`. Bob (the
member) opened the thread and wrote its first comment.
"""

import pytest

from commun.deliberation import rules
from commun.deliberation.models import Circle, Space
from commun.testing.matrix import MEMBERS, OFFICER, ROLES, refused, wrong_answers

pytestmark = pytest.mark.django_db

AUTHOR = frozenset({"member"})
ABOUT_NOTHING = {"found_circle": MEMBERS}
ABOUT_A_CIRCLE = {"join_circle": MEMBERS}
ABOUT_THE_SPACE = {"set_visibility": OFFICER, "start_thread": MEMBERS}
ABOUT_THE_THREAD = {
    "post_comment": MEMBERS,
    "subscribe": MEMBERS,
    "lock_thread": MEMBERS,  # its author, or an officer
}
ABOUT_THE_COMMENT = {"edit_comment": AUTHOR, "react": MEMBERS}


@pytest.fixture
def thread(bob):
    return Space.objects.cooperative().start_thread(bob, "Le local", "Où se retrouver ?")


def test_the_tables_name_every_action():
    tables = (ABOUT_NOTHING, ABOUT_A_CIRCLE, ABOUT_THE_SPACE, ABOUT_THE_THREAD, ABOUT_THE_COMMENT)
    assert set().union(*tables) == rules.RULES.actions


def test_who_may_act(roles, bob, thread):
    circle = Circle.found("Finances", "", by=bob)
    assert not wrong_answers(rules, ABOUT_NOTHING, roles)
    assert not wrong_answers(rules, ABOUT_A_CIRCLE, roles, circle)
    assert not wrong_answers(rules, ABOUT_THE_SPACE, roles, thread.space)
    assert not wrong_answers(rules, ABOUT_THE_THREAD, roles, thread)
    assert not wrong_answers(rules, ABOUT_THE_COMMENT, roles, thread.comments.get())


def test_the_model_methods_ask_the_rules(roles, thread):
    comment = thread.comments.get()
    space = thread.space
    refusing = {
        "found_circle": (ROLES[:3], lambda who: Circle.found("Jardin", "", by=who)),
        "set_visibility": (ROLES[:4], lambda who: space.set_visibility("public", by=who)),
        "start_thread": (ROLES[:3], lambda who: space.start_thread(who, "Titre", "Texte")),
        "post_comment": (ROLES[:3], lambda who: thread.post_comment(who, "Oui.")),
        "subscribe": (ROLES[:3], lambda who: thread.subscribe(who)),
        "lock_thread": (ROLES[:3], lambda who: thread.set_locked(True, by=who)),
        "edit_comment": (
            ("visitor", "applicant", "account", "officer"),
            lambda who: comment.edit(who, "Autre texte."),
        ),
        "react": (ROLES[:3], lambda who: comment.toggle_reaction(who, "agree")),
    }
    for action, (refused_roles, write) in refusing.items():
        for role in refused_roles:
            assert refused(lambda write=write, role=role: write(roles[role])), (action, role)
    assert not refused(lambda: thread.set_locked(True, by=roles["officer"]))
    assert thread.comments.count() == 1
