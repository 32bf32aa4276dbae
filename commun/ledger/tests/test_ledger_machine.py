"""A state machine records, reverses and retries at random; money is conserved at every step."""

import datetime
import itertools

import pytest
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

from commun.ledger.models import Account, JournalEntry, Posting, Transaction

CODES = ["512", "101", "706", "606", "1068-DISPO"]
DAY = datetime.date(2026, 6, 1)
amounts = st.integers(min_value=-(10**9), max_value=10**9).filter(bool)


def counts():
    return (Transaction.objects.count(), Posting.objects.count(), JournalEntry.objects.count())


class Books(RuleBasedStateMachine):
    """What the ledger must hold, kept in plain Python beside it."""

    booked = Bundle("booked")
    reversed_keys = Bundle("reversed")

    def __init__(self):
        super().__init__()
        # Each run starts from the same empty books and leaves nothing behind.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.keys = itertools.count(1)
        self.balances = dict.fromkeys(CODES, 0)
        self.requests = {}  # key → (label, postings, number)

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _apply(self, postings):
        for code, cents in postings:
            self.balances[code] += cents

    @rule(
        target=booked,
        lines=st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=4),
        closing=st.sampled_from(CODES),
    )
    def record(self, lines, closing):
        total = sum(cents for _code, cents in lines)
        # A zero total still needs a closing pair of lines: no posting is ever zero.
        closing_lines = [(closing, -total)] if total else [(closing, 1), (closing, -1)]
        postings = [*lines, *closing_lines]
        key = f"k{next(self.keys)}"
        booked = Transaction.objects.record(DAY, f"op {key}", postings, idempotency_key=key)
        self._apply(postings)
        self.requests[key] = (f"op {key}", postings, booked.number)
        return key

    @rule(key=booked)
    def retry_the_same_request(self, key):
        label, postings, number = self.requests[key]
        before = counts()
        again = Transaction.objects.record(DAY, label, postings, idempotency_key=key)
        assert again.number == number
        assert counts() == before

    @rule(key=booked, extra=amounts)
    def retry_with_another_body(self, key, extra):
        label, postings, _number = self.requests[key]
        changed = [*postings, ("512", extra), ("606", -extra)]
        before = counts()
        with pytest.raises(ValidationError, match="déjà servi"):
            Transaction.objects.record(DAY, label, changed, idempotency_key=key)
        assert counts() == before

    @rule(target=reversed_keys, key=consumes(booked))
    def reverse(self, key):
        _label, postings, number = self.requests[key]
        original = Transaction.objects.get(number=number)
        reversal_key = f"r{key}"
        reversal = original.reverse("correction", idempotency_key=reversal_key, on=DAY)
        self._apply([(code, -cents) for code, cents in postings])
        assert reversal.reverses_id == original.pk
        return key

    @rule(key=reversed_keys)
    def reverse_twice_is_refused(self, key):
        _label, _postings, number = self.requests[key]
        before = counts()
        with pytest.raises(ValidationError):
            Transaction.objects.get(number=number).reverse("encore", idempotency_key=f"x{key}")
        assert counts() == before

    @rule(lines=st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=4))
    def unbalanced_is_refused(self, lines):
        if sum(cents for _code, cents in lines) == 0 and len(lines) >= 2:
            return
        before = counts()
        with pytest.raises(ValidationError):
            Transaction.objects.record(DAY, "faux", lines, idempotency_key=f"u{next(self.keys)}")
        assert counts() == before

    @rule(cents=st.floats(allow_nan=True, allow_infinity=True))
    def floats_are_refused(self, cents):
        before = counts()
        with pytest.raises(ValidationError):
            Transaction.objects.record(
                DAY, "flottant", [("512", cents), ("706", -cents)], idempotency_key="f"
            )
        assert counts() == before

    @invariant()
    def every_transaction_sums_to_zero(self):
        sums = Posting.objects.values("transaction").annotate(total=Sum("amount_cents"))
        assert not sums.exclude(total=0).exists()

    @invariant()
    def balances_equal_the_sum_of_postings(self):
        for code, expected in self.balances.items():
            assert Account.objects.get(code=code).balance() == expected

    @invariant()
    def numbers_and_sequences_have_no_gaps(self):
        numbers = list(Transaction.objects.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        sequences = list(JournalEntry.objects.values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) == len(numbers)


@pytest.mark.django_db
def test_money_is_conserved_whatever_is_recorded_reversed_or_retried():
    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
