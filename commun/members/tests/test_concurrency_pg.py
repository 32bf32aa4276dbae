"""Numbering and the register hold under real concurrency (PostgreSQL row locks).

SQLite serialises every writer, so these only prove something on PostgreSQL.
"""

import pytest
from django.core.exceptions import ValidationError

from commun.conftest import category, make_applicant, make_member
from commun.members.models import Application, Cooperative, Member, ShareMovement
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_concurrent_admissions_get_numbers_one_to_fifty(coop):
    applications = [
        make_applicant(f"candidat{i}@example.org", f"Prénom{i}", f"Nom{i}", category("Partenaires"))
        for i in range(50)
    ]
    ids = [application.pk for application in applications]

    outcomes = all_at_once(50, lambda i: Application.objects.get(pk=ids[i]).admit(by=None))

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    numbers = sorted(Member.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 51))
    assert sorted(member.number for member in outcomes) == numbers
    assert Cooperative.get().last_member_number == 50
    assert Application.objects.filter(status=Application.Status.ADMITTED).count() == 50
    movement_numbers = sorted(ShareMovement.objects.values_list("number", flat=True))
    assert movement_numbers == list(range(1, 51))


def test_two_officers_admitting_the_same_application_admit_it_once(carol):
    outcomes = all_at_once(2, lambda i: Application.objects.get(pk=carol.pk).admit(by=None))

    members = [o for o in outcomes if isinstance(o, Member)]
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(members) == 1 and len(refusals) == 1, outcomes
    assert Member.objects.filter(user=carol.user).count() == 1
    assert ShareMovement.objects.filter(kind=ShareMovement.Kind.SUBSCRIPTION).count() == 1


def test_concurrent_payments_never_exceed_the_subscription(coop):
    member = make_member(
        "eve@example.org", "Eve", "Leroy", category("Partenaires"), shares=10, paid=False
    )

    outcomes = all_at_once(
        20,
        lambda i: ShareMovement.objects.record(
            ShareMovement.Kind.PAYMENT, Member.objects.get(pk=member.pk), 1, reason=f"Virement {i}"
        ),
    )

    recorded = [o for o in outcomes if isinstance(o, ShareMovement)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(recorded) == 10 and len(refused) == 10, outcomes
    member.refresh_from_db()
    paid_in_register = sum(
        m.effects()[member.pk][1] for m in ShareMovement.objects.filter(member=member)
    )
    assert member.shares_paid == paid_in_register == member.shares_subscribed == 10
    capital_in_register = sum(
        paid * m.share_value_cents
        for m in ShareMovement.objects.all()
        for _subscribed, paid in m.effects().values()
    )
    assert Cooperative.get().capital_cents == capital_in_register == 10 * coop.share_value_cents
    numbers = sorted(ShareMovement.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
