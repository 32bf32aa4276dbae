"""Who may do what at each phase of an assembly, written by hand apart from `rules.py`.

Roles: a visitor, Carol who applied, Dan with an account only, Bob a member convened, Gus
a member who holds Bob's proxy, Zoé a member admitted after the convocation, Ivy who
chairs the session and Jo its secretary (both named when it opens), Alice an officer.
Once the minutes are frozen, nobody may do anything more about the assembly.
"""

import pytest
from django.core.exceptions import ValidationError

from commun.assemblies import amendments, elections, rules
from commun.assemblies.ballots import AdvanceVote
from commun.assemblies.documents import Document
from commun.assemblies.models import AgendaItem, Assembly, Minutes, Participant
from commun.assemblies.requests import ItemRequest
from commun.conftest import category, make_member
from commun.testing.assemblies import draft
from commun.testing.matrix import NOBODY, OFFICER, refused, wrong_answers

pytestmark = pytest.mark.django_db

CONVENED = frozenset({"member", "holder", "chair", "secretary", "officer"})
CHAIR = frozenset({"chair", "officer"})
CHAIR_OR_SECRETARY = frozenset({"chair", "secretary"})
PHASES = ("draft", "convened", "open", "closed", "minutes_frozen")
ACTIONS = (
    "edit_agenda",
    "convene",
    "answer",
    "open",
    "check_in",
    "record_failure",
    "convene_again",
    "open_resolution",
    "close_resolution",
    "vote",
    "vote_in_advance",
    "mark_secret",
    "propose_amendment",
    "admit_amendment",
    "add_candidate",
    "close_session",
    "record_incident",
    "confirm_minutes",
    "attach_document",
    "ask_item",
    "answer_item_request",
)


def expected(phase: str, **allowed) -> dict:
    return {action: allowed.get(action, NOBODY) for action in ACTIONS}


EXPECTED = {
    "draft": expected(
        "draft",
        edit_agenda=OFFICER,
        convene=OFFICER,
        add_candidate=OFFICER,
        attach_document=OFFICER,
    ),
    # Nobody here answered « vote avant la séance » (test_advance_votes.py: who did may).
    "convened": expected(
        "convened",
        answer=CONVENED,
        open=OFFICER,
        add_candidate=CONVENED,
        attach_document=OFFICER,
        ask_item=CONVENED,
        answer_item_request=OFFICER,
    ),
    "open": expected(
        "open",
        check_in=CONVENED,
        record_failure=CHAIR,
        open_resolution=CHAIR,
        close_resolution=CHAIR,
        vote=CONVENED,
        mark_secret=CHAIR,
        propose_amendment=CONVENED,
        admit_amendment=CHAIR,
        add_candidate=CONVENED,
        close_session=CHAIR,
        record_incident=CHAIR_OR_SECRETARY,
    ),
    "closed": expected("closed", convene_again=OFFICER, confirm_minutes=CHAIR_OR_SECRETARY),
    "minutes_frozen": expected("minutes_frozen"),
}


@pytest.fixture
def cast(roles, alice, bob):
    gus = make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))
    ivy = make_member("ivy@example.org", "Ivy", "Noir", category("Partenaires"))
    jo = make_member("jo@example.org", "Jo", "Vert", category("Contrib"))
    assembly = draft(alice.user, days_ahead=30)
    elections.add_election(alice.user, assembly, "Conseil coopératif", 2, "majority")
    assembly.convene(alice.user)
    assembly.participants.get(member=bob).answer(bob.user, "proxy", gus)
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    people = {**roles, "holder": gus.user, "latecomer": zoe.user}
    return assembly, {**people, "chair": ivy.user, "secretary": jo.user}, (ivy, jo)


def at(assembly: Assembly, phase: str, chair_and_secretary) -> Assembly:
    """The same assembly put in `phase` (and its attendance sheet blank)."""
    chair, secretary = chair_and_secretary
    assemblies = Assembly.objects.filter(pk=assembly.pk)
    Participant.objects.filter(assembly=assembly).update(checked_in_at=None)
    Minutes.objects.filter(assembly=assembly).delete()
    if phase == "draft":
        Participant.objects.filter(assembly=assembly).delete()
        assemblies.update(phase=phase, convened_at=None)
    elif phase == "convened":
        assemblies.update(phase=phase, opened_at=None, chair=None, secretary=None)
    else:
        opened = {"opened_at": assembly.starts_at, "chair": chair, "secretary": secretary}
        assemblies.update(phase=phase, failed=phase == "closed", **opened)
    return Assembly.objects.get(pk=assembly.pk)


@pytest.mark.parametrize("phase", PHASES)
def test_what_each_role_may_do_at_each_phase(cast, phase):
    assembly, people, named = cast
    assembly = at(assembly, phase, named)
    assert wrong_answers(rules, EXPECTED[phase], people, assembly) == {}


def test_only_officers_set_the_rules_and_prepare_whatever_the_phase(cast):
    _assembly, people, _named = cast
    assert wrong_answers(rules, {"edit_rules": OFFICER, "prepare": OFFICER}, people) == {}


def attempts(assembly: Assembly, who, named) -> dict:
    """Each action through its model method, as `who`, on the assembly as it stands."""
    row = assembly.participants.filter(member__user=who).first() if who else None
    any_row = assembly.participants.first() or Participant(assembly=assembly)
    chair, secretary = named
    later = assembly.starts_at.replace(year=assembly.starts_at.year + 1)
    item = assembly.items.first()
    return {
        "edit_agenda": lambda: assembly.add_item(who, AgendaItem.Kind.INFORMATION, "Point"),
        "convene": lambda: assembly.convene(who),
        "answer": lambda: (row or any_row).answer(who, "present"),
        "open": lambda: assembly.open(who, chair, secretary, now=assembly.starts_at),
        "check_in": lambda: (row or any_row).check_in(who),
        "record_failure": lambda: assembly.record_failure(who),
        "convene_again": lambda: assembly.convene_again(who, later),
        "open_resolution": lambda: assembly.open_resolution(who, item),
        "close_resolution": lambda: item.close_vote(who),
        "vote": lambda: item.vote(who, "yes"),
        "vote_in_advance": lambda: AdvanceVote.cast(who, item, "yes"),
        "mark_secret": lambda: item.mark_secret(who),
        "propose_amendment": lambda: amendments.propose(who, item, "Un autre texte"),
        "admit_amendment": lambda: amendments.decide(who, item, admitted=True),
        "add_candidate": lambda: elections.add_candidate(who, item, chair),
        "close_session": lambda: assembly.close_session(who),
        "record_incident": lambda: assembly.record_incident(who, "La lumière s'éteint."),
        "confirm_minutes": lambda: assembly.confirm_minutes(who),
        "attach_document": lambda: Document.attach(assembly, who, None, "Rapport"),
        "ask_item": lambda: ItemRequest.ask(assembly, who, "information", "Un point"),
        "answer_item_request": lambda: ItemRequest.objects.create(
            assembly=assembly, member=chair, kind="information", title="Un point"
        ).refuse(who, "Hors sujet."),
    }


@pytest.mark.parametrize("phase", PHASES)
def test_the_model_methods_refuse_the_same(cast, phase):
    assembly, people, named = cast
    for action in ACTIONS:
        for role, who in people.items():
            fresh = at(assembly, phase, named)
            try:
                allowed = not refused(attempts(fresh, who, named)[action])
            except ValidationError:
                allowed = True  # past the permission, refused for what was asked
            assert allowed == (role in EXPECTED[phase][action]), (action, role, phase)


def test_members_read_convened_assemblies_and_officers_drafts_too(cast):
    assembly, people, named = cast
    readers = {role for role, who in people.items() if rules.can_read(who, assembly)}
    assert readers == {"member", "holder", "latecomer", "chair", "secretary", "officer"}
    assembly = at(assembly, "draft", named)
    assert {role for role, who in people.items() if rules.can_read(who, assembly)} == {"officer"}
