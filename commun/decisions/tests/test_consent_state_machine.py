"""Hypothesis drives the consent process at random and checks it against a plain model.

The reference model below is written from the product's rules, not from the code: after
every step, the decision's step, outcome, rounds, versions, stances and each objection's
status must be what the model says, and an action must be refused exactly when the model
says it is not allowed.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from commun.conftest import category, make_member
from commun.decisions.models import Decision, Objection
from commun.testing.decisions import propose

PEOPLE = ["alice", "bob", "eve", "frank"]
AUTHOR, OFFICER = "bob", "alice"
# The author's steps drive the process: they are tried by the author most of the time.
MOSTLY_THE_AUTHOR = st.sampled_from(["bob", "bob", "bob", "alice", "eve", "frank"])
CHOICES = st.sampled_from(["consent", "concern", "objection", "stand_aside"])
REASON = "Cela nuirait au budget."
MIN_DELIBERATION = datetime.timedelta(days=1)
DEADLINE = datetime.timedelta(days=3)
OPEN = {"raised", "integrating"}


class ConsentProcess(RuleBasedStateMachine):
    """Set `members` (name → Member) on a subclass before running."""

    members: dict = {}

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.opened_at = timezone.now()
        self.clock = self.opened_at
        self.closes_at = self.opened_at + DEADLINE
        self.decision = propose(
            self.members[AUTHOR], min_deliberation=MIN_DELIBERATION, closes_at=self.closes_at
        )
        self.decision.open(now=self.opened_at)
        self.text = 0
        # The reference model.
        self.phase = "clarification"
        self.outcome = ""
        self.rounds = 0
        self.versions = 1
        self.stances: dict[str, str] = {}
        self.objections: dict[int, dict] = {}  # pk → author, round, status

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Helpers ---------------------------------------------------------------------------------

    def attempt(self, allowed: bool, action) -> bool:
        try:
            action()
        except (ValidationError, PermissionDenied) as error:
            assert not allowed, f"refused, though the model allows it: {error}"
            return False
        assert allowed, "accepted, though the model refuses it"
        return True

    def open_objections(self, of=None):
        return [
            pk
            for pk, o in self.objections.items()
            if o["status"] in OPEN and (of is None or o["author"] == of)
        ]

    def everyone_spoke(self) -> bool:
        return set(self.stances) == set(PEOPLE)

    def deadline_outcome(self) -> str:
        if self.phase != "objections":
            return "lapsed"
        if self.open_objections():
            return "lapsed"
        # The default rule: silence consents once half of those called have spoken.
        return "adopted" if 2 * len(self.stances) >= len(PEOPLE) else "no_quorum"

    def next_text(self) -> str:
        self.text += 1
        return f"Proposition revue n°{self.text}."

    # Rules -----------------------------------------------------------------------------------

    @initialize(
        straight_to_objections=st.booleans(),
        first_stances=st.lists(st.tuples(st.sampled_from(PEOPLE), CHOICES), max_size=4),
    )
    def start(self, straight_to_objections, first_stances):
        """Half of the walks start in the first objection round, some stances already taken."""
        if straight_to_objections:
            self.advance(AUTHOR)
            self.advance(AUTHOR)
            for who, choice in first_stances:
                self.take_stance(who, choice, REASON)

    @rule(who=MOSTLY_THE_AUTHOR)
    def advance(self, who):
        allowed = who == AUTHOR and self.phase in ("clarification", "reactions")
        if self.attempt(allowed, lambda: self.decision.advance(self.members[who])):
            if self.phase == "clarification":
                self.phase = "reactions"
            else:
                self.phase, self.rounds, self.stances = "objections", self.rounds + 1, {}

    @rule(who=MOSTLY_THE_AUTHOR, data=st.data())
    def amend(self, who, data):
        candidates = sorted(self.open_objections())
        integrates = (
            data.draw(st.lists(st.sampled_from(candidates), unique=True)) if candidates else []
        )
        self._amend(who, integrates)

    def _amend(self, who, integrates):
        allowed = who == AUTHOR and self.phase in ("clarification", "reactions", "integration")
        amend = lambda: self.decision.amend(  # noqa: E731
            self.members[who], title="Titre", body=self.next_text(), integrates=integrates
        )
        if self.attempt(allowed, amend):
            self.versions += 1
            for pk in integrates:
                self.objections[pk]["status"] = "integrating"

    @rule(
        who=st.sampled_from(PEOPLE),
        choice=CHOICES,
        reason=st.sampled_from([REASON, REASON, ""]),
    )
    def take_stance(self, who, choice, reason):
        allowed = (
            self.phase == "objections"
            and self.clock < self.closes_at
            and (choice != "objection" or reason != "")
        )
        round = self.decision.rounds.order_by("-number").first()
        if round is None:
            allowed = False
            return
        take = lambda: round.take_stance(self.members[who], choice, reason, now=self.clock)  # noqa: E731
        if not self.attempt(allowed, take):
            return
        previous = self.stances.get(who)
        self.stances[who] = choice
        mine_here = [
            pk for pk in self.open_objections(of=who) if self.objections[pk]["round"] == self.rounds
        ]
        if choice == "objection" and not mine_here:
            created = Objection.objects.filter(author=self.members[who]).latest("pk")
            self.objections[created.pk] = {"author": who, "round": self.rounds, "status": "raised"}
        elif choice != "objection" and previous == "objection":
            for pk in mine_here:
                self.objections[pk]["status"] = "withdrawn"

    @rule(choices=st.lists(CHOICES, min_size=len(PEOPLE), max_size=len(PEOPLE)))
    def everyone_speaks(self, choices):
        """Everybody takes a stance in one step, so that walks reach the close more often."""
        for who, choice in zip(PEOPLE, choices, strict=True):
            self.take_stance(who, choice, REASON)

    @precondition(lambda self: self.objections)
    @rule(who=MOSTLY_THE_AUTHOR, data=st.data())
    def begin_integration(self, who, data):
        self._begin_integration(who, data.draw(st.sampled_from(sorted(self.objections))))

    def _begin_integration(self, who, pk):
        objection = self.objections[pk]
        allowed = (
            who == AUTHOR
            and self.phase in ("objections", "integration")
            and objection["status"] == "raised"
        )
        begin = lambda: Objection.objects.get(pk=pk).begin_integration(self.members[who])  # noqa: E731
        if self.attempt(allowed, begin):
            objection["status"] = "integrating"
            if self.phase == "objections":
                self.phase = "integration"

    @rule(who=MOSTLY_THE_AUTHOR)
    def start_new_round(self, who):
        allowed = who == AUTHOR and self.phase == "integration"
        if self.attempt(
            allowed, lambda: self.decision.start_new_round(self.members[who], now=self.clock)
        ):
            self.phase, self.rounds, self.stances = "objections", self.rounds + 1, {}

    @precondition(lambda self: self.objections)
    @rule(data=st.data())
    def resolve(self, data):
        pk = data.draw(st.sampled_from(sorted(self.objections)))
        objection = self.objections[pk]
        self._resolve(data.draw(st.sampled_from([objection["author"]] * 3 + PEOPLE)), pk)

    def _resolve(self, who, pk):
        objection = self.objections[pk]
        allowed = (
            self.phase == "objections"
            and who == objection["author"]
            and objection["status"] in OPEN
            and self.rounds > objection["round"]
        )
        if self.attempt(allowed, lambda: Objection.objects.get(pk=pk).resolve(self.members[who])):
            objection["status"] = "resolved"

    @precondition(lambda self: self.objections)
    @rule(data=st.data())
    def withdraw_objection(self, data):
        pk = data.draw(st.sampled_from(sorted(self.objections)))
        objection = self.objections[pk]
        self._withdraw_objection(data.draw(st.sampled_from([objection["author"]] * 3 + PEOPLE)), pk)

    def _withdraw_objection(self, who, pk):
        objection = self.objections[pk]
        allowed = (
            self.phase in ("objections", "integration")
            and who == objection["author"]
            and objection["status"] in OPEN
        )
        if self.attempt(allowed, lambda: Objection.objects.get(pk=pk).withdraw(self.members[who])):
            objection["status"] = "withdrawn"

    @precondition(lambda self: self.objections)
    @rule(
        who=st.sampled_from(PEOPLE),
        note=st.sampled_from(["", "Une préférence, pas une objection."]),
        data=st.data(),
    )
    def dismiss(self, who, note, data):
        pk = data.draw(st.sampled_from(sorted(self.objections)))
        objection = self.objections[pk]
        allowed = (
            self.phase in ("objections", "integration")
            and who in (AUTHOR, OFFICER)
            and objection["status"] in OPEN
            and note != ""
        )
        if self.attempt(
            allowed, lambda: Objection.objects.get(pk=pk).dismiss(self.members[who], note)
        ):
            objection["status"] = "not_an_objection"

    @rule()
    def author_integrates_every_objection(self):
        """The author's whole answer in one step: take each objection up, amend, new round."""
        for pk in sorted(self.objections):
            if self.objections[pk]["status"] == "raised":
                self._begin_integration(AUTHOR, pk)
        self._amend(AUTHOR, sorted(self.open_objections()))
        self.start_new_round(AUTHOR)

    @rule(resolved=st.booleans())
    def objectors_answer(self, resolved):
        """Every objector says at once whether the new version resolves their objection."""
        for pk in sorted(self.open_objections()):
            who = self.objections[pk]["author"]
            if resolved:
                self._resolve(who, pk)
            else:
                self._withdraw_objection(who, pk)

    @rule(who=st.sampled_from(PEOPLE), really=st.integers(0, 4))
    def withdraw_decision(self, who, really):
        if really:  # rarely: a withdrawn decision ends the walk
            return
        allowed = who == AUTHOR and self.phase != "closed"
        if self.attempt(allowed, lambda: self.decision.withdraw(self.members[who])):
            self.phase, self.outcome = "closed", "withdrawn"

    @rule(who=MOSTLY_THE_AUTHOR)
    def close(self, who):
        allowed = who in (AUTHOR, OFFICER) and self.phase == "objections"
        outcome = None
        if allowed:
            if self.clock >= self.closes_at:
                outcome = self.deadline_outcome()
            elif (
                self.clock >= self.opened_at + MIN_DELIBERATION
                and self.everyone_spoke()
                and not self.open_objections()
            ):
                outcome = "adopted"
            else:
                allowed = False
        if self.attempt(allowed, lambda: self.decision.close(now=self.clock, by=self.members[who])):
            self.phase, self.outcome = "closed", outcome

    @rule(hours=st.sampled_from([12, 24, 36]))
    def time_passes(self, hours):
        self.clock += datetime.timedelta(hours=hours)

    @rule()
    def deadline_job(self):
        allowed = self.phase != "closed" and self.clock >= self.closes_at
        outcome = self.deadline_outcome() if allowed else None
        if self.attempt(allowed, lambda: self.decision.close(now=self.clock)):
            self.phase, self.outcome = "closed", outcome

    # What must hold after every step ---------------------------------------------------------

    @invariant()
    def matches_the_model(self):
        decision = Decision.objects.get(pk=self.decision.pk)
        assert decision.phase == self.phase
        assert decision.outcome == self.outcome
        assert decision.rounds.count() == self.rounds
        assert decision.versions.count() == self.versions
        statuses = dict(decision.objections.values_list("pk", "status"))
        assert statuses == {pk: o["status"] for pk, o in self.objections.items()}
        round = decision.rounds.order_by("-number").first()
        if round is not None:
            names = {m.pk: name for name, m in self.members.items()}
            stances = {names[m]: c for m, c in round.stances.values_list("member_id", "choice")}
            assert stances == self.stances
            # A round takes stances exactly while the decision is in its objection step.
            assert (round.closed_at is None) == (self.phase == "objections")
        if self.outcome == "adopted":
            assert not decision.open_objections().exists()


@pytest.fixture
def voters(alice, bob):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    frank = make_member("frank@example.org", "Frank", "Morel", category("Contrib"))
    return {"alice": alice, "bob": bob, "eve": eve, "frank": frank}


def test_the_consent_process_always_matches_the_reference_model(voters):
    class Process(ConsentProcess):
        members = voters

    run_state_machine_as_test(
        Process,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            database=None,
            # No shrinking: it takes minutes here; a failure prints its (short) walk as is.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )
