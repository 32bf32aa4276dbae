"""A Hypothesis state machine that tries every register operation in every order.

After each step the holdings must equal the register's sums, the capital Σ paid × value,
numbers 1..N without gap, the high-water mark the highest capital seen, and every active
member exactly one voice.
"""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from commun.accounts.models import User
from commun.members.models import (
    Application,
    Category,
    College,
    Cooperative,
    Member,
    Repayment,
    ShareMovement,
)

VALUE = 5000
quantities = st.integers(min_value=1, max_value=6)
picks = st.integers(min_value=0, max_value=10_000)


class RegisterMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each run lives in a savepoint rolled back at teardown: runs never see each other.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.emails = itertools.count()
        coop = Cooperative.get()
        coop.share_value_cents = VALUE
        coop.save()
        college = College.objects.create(name="Collège unique")
        self.categories = [
            Category.objects.create(name="Fondateur·ices", college=college, min_shares=2),
            Category.objects.create(name="Salarié·es", college=college, mandatory=True),
            Category.objects.create(name="Bénéficiaires", college=college, mandatory=True),
        ]
        self.highest_capital = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _member(self, pick: int) -> Member | None:
        ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
        return Member.objects.get(pk=ids[pick % len(ids)]) if ids else None

    def _attempt(self, operation):
        """Run an operation; a refused one must leave the register exactly as it was."""
        before = ShareMovement.objects.count()
        holdings = list(
            Member.objects.order_by("pk").values_list("shares_subscribed", "shares_paid")
        )
        try:
            operation()
        except ValidationError:
            assert ShareMovement.objects.count() == before
            assert holdings == list(
                Member.objects.order_by("pk").values_list("shares_subscribed", "shares_paid")
            )

    @initialize(founders=st.lists(quantities, min_size=3, max_size=5))
    def found(self, founders):
        """A few founders, paid up, at least one in each category: resignations can happen."""
        for index, shares in enumerate(founders):
            self.admit(index % 3, shares, pays_at_once=True)

    @rule(category=st.integers(0, 2), shares=quantities, pays_at_once=st.booleans())
    def admit(self, category, shares, pays_at_once):
        email = f"m{next(self.emails)}@example.org"
        user = User.objects.create_user(email, "x")
        category = self.categories[category]
        application = Application(
            user=user,
            email=email,
            first_name="Prénom",
            last_name="Nom",
            category=category,
            shares=max(shares, category.min_shares),
            consents_to_charter=True,
            consents_to_privacy=True,
        ).submit()
        self._attempt(application.admit)
        application.refresh_from_db()
        if pays_at_once and application.member:
            self._pay_the_rest(application.member)

    def _pay_the_rest(self, member):
        unpaid = member.shares_subscribed - member.shares_paid
        if unpaid:
            self._attempt(lambda: ShareMovement.objects.record("payment", member, unpaid))

    @rule(pick=picks)
    def pay_the_rest(self, pick):
        if member := self._member(pick):
            self._pay_the_rest(member)

    @rule(pick=picks, shares=quantities)
    def subscribe(self, pick, shares):
        if member := self._member(pick):
            self._attempt(lambda: ShareMovement.objects.record("subscription", member, shares))

    @rule(pick=picks, shares=quantities)
    def pay(self, pick, shares):
        if member := self._member(pick):
            self._attempt(lambda: ShareMovement.objects.record("payment", member, shares))

    @rule(giver=picks, receiver=picks, shares=quantities)
    def transfer(self, giver, receiver, shares):
        giver, receiver = self._member(giver), self._member(receiver)
        if giver and receiver and giver.pk != receiver.pk:
            self._attempt(
                lambda: ShareMovement.objects.record(
                    "transfer", giver, shares, counterpart=receiver, authorised_by="AG"
                )
            )

    @rule(pick=picks, shares=quantities)
    def cancel(self, pick, shares):
        if member := self._member(pick):
            self._attempt(lambda: ShareMovement.objects.record("cancellation", member, shares))

    @rule(pick=picks)
    def correct(self, pick):
        numbers = list(ShareMovement.objects.order_by("number").values_list("number", flat=True))
        if not numbers:
            return
        target = ShareMovement.objects.get(number=numbers[pick % len(numbers)])
        self._attempt(
            lambda: ShareMovement.objects.record(
                "correction", target.member, target.quantity, corrects=target, reason="Erreur"
            )
        )

    @rule(pick=picks, repaid_at_once=st.booleans())
    def resign(self, pick, repaid_at_once):
        if member := self._member(pick):
            self._attempt(lambda: member.resign(on=datetime.date(2026, 1, 1)))
            repayment = Repayment.objects.filter(member=member).first()
            if repaid_at_once and repayment:
                self._attempt(lambda: repayment.process(today=repayment.due_on))

    @rule(pick=picks)
    def repay(self, pick):
        repayments = list(Repayment.objects.order_by("pk"))
        if repayments:
            repayment = repayments[pick % len(repayments)]
            self._attempt(lambda: repayment.process(today=repayment.due_on))

    @invariant()
    def holdings_are_the_sums_of_the_register(self):
        expected = {}
        capital = 0
        movements = ShareMovement.objects.select_related("corrects").order_by("number")
        for movement in movements:
            for member, (subscribed, paid) in movement.effects().items():
                total = expected.setdefault(member, [0, 0])
                total[0] += subscribed
                total[1] += paid
                capital += paid * movement.share_value_cents
        for member in Member.objects.all():
            subscribed, paid = expected.get(member.pk, (0, 0))
            assert (member.shares_subscribed, member.shares_paid) == (subscribed, paid)
            assert 0 <= member.shares_paid <= member.shares_subscribed
        coop = Cooperative.get()
        assert coop.capital_cents == capital
        paid_shares = sum(Member.objects.values_list("shares_paid", flat=True))
        assert coop.capital_cents == paid_shares * VALUE
        self.highest_capital = max(self.highest_capital, coop.capital_cents)
        assert coop.capital_high_water_cents == self.highest_capital

    @invariant()
    def movements_are_numbered_without_gap(self):
        numbers = list(ShareMovement.objects.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        assert Cooperative.get().last_movement_number == len(numbers)

    @invariant()
    def every_active_member_has_exactly_one_voice(self):
        for member in Member.objects.all():
            assert member.voice == (1 if member.status == Member.Status.ACTIVE else 0)

    @invariant()
    def member_numbers_are_sequential(self):
        numbers = list(Member.objects.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.django_db
def test_the_register_keeps_its_invariants_whatever_happens():
    run_state_machine_as_test(
        RegisterMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
