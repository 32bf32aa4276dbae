"""Rejoining: a former associate applies again with the same account and gets a new number.

Member numbers are never reused, and the register keeps the former membership as it was.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from commun.accounts.models import User
from commun.conftest import category, client_for, make_member
from commun.members.models import Application, Member, ShareMovement
from commun.testing.members import join_data

RESIGNED_ON = datetime.date(2025, 3, 31)


@pytest.fixture
def eve(alice, bob) -> Member:
    """A founder (the only category that is not mandatory: she may leave freely)."""
    return make_member("eve@example.org", "Ève", "Durand", category("Responsables"), shares=2)


def leave(member: Member) -> Member:
    repayment = member.resign(on=RESIGNED_ON)
    assert repayment.process(today=repayment.due_on) is True
    member.refresh_from_db()
    assert member.status == Member.Status.LEFT
    return member


def apply_again(user, shares=1) -> Application:
    return Application(
        user=user,
        email=user.email,
        first_name="Ève",
        last_name="Durand",
        category=category("Partenaires"),
        shares=shares,
        consents_to_charter=True,
        consents_to_privacy=True,
    ).submit()


def register_of(member: Member) -> list[tuple]:
    return list(
        ShareMovement.objects.filter(member=member)
        .order_by("number")
        .values_list("number", "kind", "quantity", "share_value_cents", "date")
    )


def test_a_former_member_applies_again_and_gets_a_new_number(eve):
    former = leave(eve)
    history = register_of(former)

    application = apply_again(former.user)
    member = application.admit(by=None)

    assert member.pk != former.pk and member.user_id == former.user_id
    assert member.number > former.number
    assert member.number == Member.objects.order_by("-number").first().number
    assert member.status == Member.Status.ADMITTED
    former.refresh_from_db()
    assert (former.status, former.number) == (Member.Status.LEFT, eve.number)
    assert register_of(former) == history  # the former membership's lines are intact
    assert [kind for _n, kind, *_rest in register_of(member)] == ["subscription"]
    assert User.objects.get(pk=former.user_id).member == member  # the current membership


def test_the_join_page_takes_a_former_member_s_application(eve):
    former = leave(eve)
    client = client_for(former.user)

    page = client.get(reverse("members:join")).content.decode()
    response = client.post(reverse("members:join"), join_data(email=None, password1=None))

    assert '<form method="post" action="/rejoindre/"' in page
    assert response.status_code == 302
    assert former.user.applications.get(status=Application.Status.PENDING).shares == 3
    assert User.objects.get(pk=former.user_id).member == former  # until admitted again


def test_a_member_on_the_way_out_cannot_apply_yet(eve):
    eve.resign(on=RESIGNED_ON)

    with pytest.raises(ValidationError, match="départ"):
        apply_again(eve.user)


def test_a_current_member_cannot_apply(eve):
    with pytest.raises(ValidationError, match="déjà associé·e"):
        apply_again(eve.user)


def test_the_database_refuses_two_current_memberships_for_one_account(eve):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            user=eve.user, number=999, category=eve.category, first_name="x", last_name="y"
        )
