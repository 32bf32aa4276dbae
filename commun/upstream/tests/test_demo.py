"""The demo's giving back: seven projects, a split voted and paid, another open to votes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from commun.ledger import funds
from commun.ledger.models import Transaction
from commun.upstream import demo
from commun.upstream.models import CommonsSplit, Gift, UpstreamProject

SILENT = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def loaded(db):
    """`commun demo` (which loads the upstream demo), then it again: nothing changes."""
    with override_settings(TASKS=SILENT):
        out = StringIO()
        call_command("demo", stdout=out)
        before = (Transaction.objects.count(), Gift.objects.count(), CommonsSplit.objects.count())
        demo.load()
        after = (Transaction.objects.count(), Gift.objects.count(), CommonsSplit.objects.count())
    return out.getvalue(), before, after


def test_the_demo_splits_the_fund_and_pays_the_gifts_once(loaded):
    out, before, after = loaded

    assert before == after  # idempotent
    assert "répartition" in out
    assert set(UpstreamProject.objects.values_list("name", flat=True)) == {
        "Django",
        "PostgreSQL",
        "htmx",
        "OpenFisca",
        "Debian",
        "Python",
        "WeasyPrint",
    }
    voted, voting = CommonsSplit.objects.order_by("pk")
    assert voted.status == "planned" and voted.decision.outcome == "adopted"
    gifts = voted.gifts.all()
    assert gifts and all(g.status == "paid" for g in gifts)
    assert sum(g.amount_cents for g in gifts) == voted.amount_cents == 180_000
    assert voted.created_at.year == voted.decision.closed_at.year
    assert voting.status == "voting"
    assert voting.decision.current_round.stances.count() >= 3
    assert funds.commons_fund_cents() >= voting.amount_cents
