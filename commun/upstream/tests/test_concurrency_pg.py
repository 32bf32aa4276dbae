"""On PostgreSQL, many promises and payments at once never promise or pay beyond the fund.

SQLite serialises every writer, so these only prove something on PostgreSQL.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from commun.decisions.models import Decision
from commun.ledger import funds
from commun.testing.concurrency import all_at_once
from commun.testing.upstream import fill_fund, projects, shrink_fund
from commun.upstream.models import CommonsSplit, Gift, commons_fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHARE = 10_000


def test_ten_concurrent_payments_never_overdraw_the_fund(alice):
    django, *_ = projects()
    fill_fund(10 * SHARE)
    gifts = [
        Gift.objects.plan(alice, project=django, amount_cents=SHARE, reference=f"AG n°{i}")
        for i in range(10)
    ]
    shrink_fund(6 * SHARE)  # promised when they fitted; the books were corrected since

    outcomes = all_at_once(
        10, lambda i: gifts[i].pay(alice, datetime.date(2026, 3, 2), f"concurrent-{i}")
    )

    paid = [o for o in outcomes if isinstance(o, Gift)]
    refused = [o for o in outcomes if not isinstance(o, Gift)]
    assert len(paid) == 4, outcomes
    assert all(getattr(error, "code", None) == "over_fund" for error in refused), refused
    assert Gift.objects.filter(status="paid").count() == 4
    assert Gift.objects.filter(status="planned", transaction__isnull=True).count() == 6
    assert funds.commons_fund_cents() == 0


def test_twenty_splits_and_gifts_promised_at_once_against_a_fund_for_seven(alice):
    """Ten openings of a split and ten direct gifts, released together: seven fit."""
    django, *_ = projects()
    fill_fund(7 * SHARE)

    def promise(i):
        if i % 2:
            return Gift.objects.plan(alice, project=django, amount_cents=SHARE, reference=f"{i}")
        return CommonsSplit.objects.open(alice, amount_cents=SHARE)

    outcomes = all_at_once(20, promise)

    promised = [o for o in outcomes if isinstance(o, CommonsSplit | Gift)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(promised) == 7 and len(refused) == 13, outcomes
    assert all("dépasse ce" in " ".join(error.messages) for error in refused), refused
    fund = commons_fund()
    assert (fund.held_cents, fund.promised_cents, fund.available_cents) == (7 * SHARE, 7 * SHARE, 0)
    opened = CommonsSplit.objects.count()
    assert opened == Decision.objects.filter(subject_kind="commons_split").count()
    assert opened + Gift.objects.count() == 7


def test_twenty_adoptions_at_once_serve_the_splits_in_the_order_they_were_opened(alice, bob):
    """Twenty splits fitted when opened; the fund then shrank to seven shares: whatever the
    order the closes run in, the seven opened first are adopted, the others refused."""
    projects()
    fill_fund(20 * SHARE)
    splits = [CommonsSplit.objects.open(alice, amount_cents=SHARE) for _i in range(20)]
    for split in splits:
        option = split.decision.options.order_by("position").first()
        split.decision.current_round.take_stance(bob, "ballot", ballot={str(option.pk): 100})
    shrink_fund(13 * SHARE)
    when = max(s.decision.closes_at for s in splits) + datetime.timedelta(seconds=1)

    outcomes = all_at_once(
        20, lambda i: Decision.objects.get(pk=splits[i].decision_id).close(now=when, by=alice)
    )

    assert outcomes[:7] == ["adopted"] * 7, outcomes
    assert all(isinstance(o, ValidationError) for o in outcomes[7:]), outcomes
    assert all("dépasse ce qui reste disponible" in o.messages[0] for o in outcomes[7:])
    statuses = [CommonsSplit.objects.get(pk=s.pk).status for s in splits]
    assert statuses == ["planned"] * 7 + ["voting"] * 13
    assert sum(Gift.objects.values_list("amount_cents", flat=True)) == 7 * SHARE
    assert funds.commons_fund_cents() == 7 * SHARE
