"""Who may do what at each phase of an assembly, written by hand apart from `rules.py`.

Roles: a visitor, Carol who applied, Dan with an account only, Bob a member convened, Gus
a member who holds Bob's proxy, Zoé a member admitted after the convocation, Alice an
officer. The chair, the secretary and the minutes come with the day itself (not yet built).
"""

import pytest

from commun.assemblies import rules
from commun.assemblies.models import AgendaItem, Assembly, Participant
from commun.conftest import category, make_member
from commun.testing.assemblies import draft
from commun.testing.matrix import NOBODY, OFFICER, refused, wrong_answers

pytestmark = pytest.mark.django_db

CONVENED = frozenset({"member", "holder", "officer"})
PHASES = ("draft", "convened", "open", "closed")

EXPECTED = {
    "draft": {"edit_agenda": OFFICER, "convene": OFFICER, "answer": NOBODY},
    "convened": {"edit_agenda": NOBODY, "convene": NOBODY, "answer": CONVENED},
    "open": {"edit_agenda": NOBODY, "convene": NOBODY, "answer": NOBODY},
    "closed": {"edit_agenda": NOBODY, "convene": NOBODY, "answer": NOBODY},
}


@pytest.fixture
def cast(roles, alice, bob):
    gus = make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))
    assembly = draft(alice.user)
    assembly.convene(alice.user)
    assembly.participants.get(member=bob).answer(bob.user, "proxy", gus)
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    return assembly, {**roles, "holder": gus.user, "latecomer": zoe.user}


def at(assembly: Assembly, phase: str) -> Assembly:
    if phase == "draft":
        Participant.objects.filter(assembly=assembly).delete()
        Assembly.objects.filter(pk=assembly.pk).update(phase=phase, convened_at=None)
    else:
        Assembly.objects.filter(pk=assembly.pk).update(phase=phase)
    return Assembly.objects.get(pk=assembly.pk)


@pytest.mark.parametrize("phase", PHASES)
def test_what_each_role_may_do_at_each_phase(cast, phase):
    assembly, people = cast
    assembly = at(assembly, phase)
    assert wrong_answers(rules, EXPECTED[phase], people, assembly) == {}


def test_only_officers_set_the_rules_and_prepare_whatever_the_phase(cast):
    _assembly, people = cast
    expected = {"edit_rules": OFFICER, "prepare": OFFICER}
    assert wrong_answers(rules, expected, people) == {}


@pytest.mark.parametrize("phase", PHASES)
def test_the_model_methods_refuse_the_same(cast, phase):
    assembly, people = cast
    assembly = at(assembly, phase)
    for role, who in people.items():
        if phase != "draft" and role in CONVENED:
            row = assembly.participants.get(member__user=who)
            answered = not refused(lambda row=row, who=who: row.answer(who, "present"))
            assert answered == (role in EXPECTED[phase]["answer"]), (role, phase)
        added = not refused(
            lambda who=who: assembly.add_item(who, AgendaItem.Kind.INFORMATION, "Point")
        )
        assert added == (role in EXPECTED[phase]["edit_agenda"]), (role, phase)


def test_members_read_convened_assemblies_and_officers_drafts_too(cast):
    assembly, people = cast
    readers = {role for role, who in people.items() if rules.can_read(who, assembly)}
    assert readers == {"member", "holder", "latecomer", "officer"}
    assembly = at(assembly, "draft")
    assert {role for role, who in people.items() if rules.can_read(who, assembly)} == {"officer"}
