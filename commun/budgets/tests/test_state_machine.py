"""Missions and the reserve under random sequences of everything that moves money.

After every step: every transaction balances, balances are the sums of postings, the
available reserve is never negative, no commitment is negative or overspent, and what the
reserve holds (available + committed) is what was put in minus what was spent.
"""

import datetime
import itertools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from commun.budgets.models import Mission, MissionPayment, MissionTopUp
from commun.decisions.models import Decision
from commun.ledger import funds
from commun.ledger.models import Account, Posting, Transaction
from commun.testing.budgets import DAY, consent_all, fund, invoice, need_by

amounts = st.integers(min_value=1, max_value=50_000)
TODAY = datetime.date(2026, 2, 1)


def close_adopting(decision, by):
    decision = Decision.objects.get(pk=decision.pk)
    consent_all(decision)
    return decision.close(now=decision.deliberation_ends_at + DAY, by=by)


class Reserve(RuleBasedStateMachine):
    missions = Bundle("missions")
    payments = Bundle("payments")

    def __init__(self, alice, bob):
        super().__init__()
        self.alice, self.bob = alice, bob
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # each run is rolled back: the ledger itself never deletes
        self.need = need_by(bob)
        self.put_in = 0
        self.spent = 0
        self.keys = itertools.count()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @rule(cents=amounts)
    def fund_the_reserve(self, cents):
        fund(cents)
        self.put_in += cents

    @rule(target=missions, cents=amounts)
    def submit(self, cents):
        mission = Mission.objects.propose(self.bob, self.need, **invoice(cents))
        return mission.submit(self.bob)

    @rule(mission=missions)
    def adopt_by_decision(self, mission):
        mission.refresh_from_db()
        if mission.status != Mission.Status.SUBMITTED:
            return
        available = funds.available_cents()
        try:
            close_adopting(mission.decision, self.alice)
        except ValidationError as refused:
            assert mission.full_cost_cents > available
            assert "il manque" in str(refused)
            assert Decision.objects.get(pk=mission.decision_id).phase == "objections"
        else:
            assert mission.full_cost_cents <= available
            mission.refresh_from_db()
            assert mission.status == Mission.Status.ADOPTED

    @rule(mission=missions)
    def commit_directly(self, mission):
        mission.refresh_from_db()
        if mission.status != Mission.Status.SUBMITTED:
            return
        available = funds.available_cents()
        try:
            mission.commit_budget()
        except ValidationError:
            assert mission.full_cost_cents > available
            assert Mission.objects.get(pk=mission.pk).status == Mission.Status.SUBMITTED
        else:
            assert mission.status == Mission.Status.ADOPTED

    @rule(target=payments, mission=missions, cents=st.integers(min_value=1, max_value=80_000))
    def pay(self, mission, cents):
        mission.refresh_from_db()
        if mission.status not in Mission.PAYABLE:
            return None
        left = funds.committed_cents(mission.ref)
        try:
            payment = mission.record_payment(
                self.alice,
                kind="invoice",
                on=TODAY,
                label="Paiement",
                amount_cents=cents,
                idempotency_key=f"sm-{next(self.keys)}",
            )
        except ValidationError as refused:
            assert cents > left and "dépasse" in str(refused)
            return None
        assert cents <= left
        self.spent += cents
        return payment

    @rule(payment=consumes(payments))
    def cancel(self, payment):
        if payment is None:
            return
        payment.refresh_from_db()
        try:
            payment.cancel(self.alice, "Erreur")
        except ValidationError:
            assert payment.mission.status not in Mission.PAYABLE
            return
        self.spent -= payment.amount_cents

    @rule(mission=missions, cents=amounts)
    def top_up(self, mission, cents):
        mission.refresh_from_db()
        if mission.status != Mission.Status.ADOPTED:
            return
        top_up = mission.ask_top_up(self.bob, cents, "Plus de travail")
        available = funds.available_cents()
        try:
            close_adopting(top_up.decision, self.alice)
        except ValidationError:
            assert cents > available
            # Left open: withdraw it so the mission may be reviewed later.
            Decision.objects.get(pk=top_up.decision_id).withdraw(self.bob)
            assert MissionTopUp.objects.get(pk=top_up.pk).status == "rejected"
        else:
            assert MissionTopUp.objects.get(pk=top_up.pk).status == "adopted"

    @rule(mission=missions)
    def close(self, mission):
        mission.refresh_from_db()
        if mission.status != Mission.Status.ADOPTED:
            return
        mission.ask_review(self.bob, "Livré.")
        close_adopting(mission.review_decision, self.alice)
        mission.refresh_from_db()
        assert mission.status == Mission.Status.CLOSED
        assert funds.committed_cents(mission.ref) == 0

    @invariant()
    def every_transaction_balances(self):
        unbalanced = (
            Posting.objects.values("transaction")
            .annotate(total=Sum("amount_cents"))
            .exclude(total=0)
        )
        assert not unbalanced.exists()

    @invariant()
    def balances_are_sums_of_postings(self):
        by_account = {}
        for account_id, cents in Posting.objects.values_list("account_id", "amount_cents"):
            by_account[account_id] = by_account.get(account_id, 0) + cents
        for account in Account.objects.filter(pk__in=by_account):
            assert account.balance() == by_account[account.pk]

    @invariant()
    def the_reserve_is_never_over_committed(self):
        assert funds.available_cents() >= 0
        for mission in Mission.objects.exclude(ref=None):
            left = funds.committed_cents(mission.ref)
            spent = mission.spent_cents()
            assert left >= 0
            assert spent <= mission.committed_cents
            assert left == mission.committed_cents - spent - mission.released_cents
            if mission.status == Mission.Status.CLOSED:
                assert left == 0

    @invariant()
    def money_is_conserved(self):
        assert funds.available_cents() + funds.committed_cents() == self.put_in - self.spent
        assert Transaction.objects.count() >= MissionPayment.objects.count()


def test_the_reserve_is_never_over_committed(alice, bob):
    run_state_machine_as_test(
        lambda: Reserve(alice, bob),
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
