"""Pages and endpoints read in a bounded number of queries, however many rows there are."""

import datetime

import pytest
from django.urls import reverse

from commun.budgets.models import Mission, NeedSupport
from commun.testing.api import bearer, call
from commun.testing.budgets import MISSION_QUERIES, adopt, fund, invoice, need_by, submitted

NEEDS_QUERIES = 10
MISSIONS_QUERIES = 10


def many_needs(bob, alice, count):
    for i in range(count):
        need = need_by(bob, title=f"Besoin {i}")
        NeedSupport.objects.create(need=need, member=alice)


def many_missions(bob, alice, count):
    fund(10_000_000)
    need = need_by(bob)
    for i in range(count):
        mission = submitted(bob, need, **invoice(1000 + i))
        adopt(mission, bob)


def paid_mission(bob, alice, payments):
    fund(10_000_000)
    mission = submitted(bob, **invoice(1_000_000))
    adopt(mission, bob)
    for i in range(payments):
        mission.record_payment(
            alice,
            kind="invoice",
            on=datetime.date(2026, 2, 1),
            label=f"Facture {i}",
            amount_cents=100,
            idempotency_key=f"q-{i}",
        )
    return mission


@pytest.mark.parametrize("count", [1, 12])
def test_the_needs_list_is_bounded(people, alice, bob, django_assert_max_num_queries, count):
    many_needs(bob, alice, count)
    for role in ("visitor", "member"):
        with django_assert_max_num_queries(NEEDS_QUERIES):
            assert people[role].get(reverse("budgets:needs")).status_code == 200
    with django_assert_max_num_queries(NEEDS_QUERIES):
        assert call(bearer(bob.user), "GET", "/needs").status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_the_missions_list_is_bounded(people, alice, bob, django_assert_max_num_queries, count):
    many_missions(bob, alice, count)
    for role in ("visitor", "member"):
        with django_assert_max_num_queries(MISSIONS_QUERIES):
            assert people[role].get(reverse("budgets:missions")).status_code == 200
    with django_assert_max_num_queries(MISSIONS_QUERIES):
        assert call(bearer(bob.user), "GET", "/missions").status_code == 200
    need = Mission.objects.first().need
    with django_assert_max_num_queries(NEEDS_QUERIES):
        assert people["member"].get(need.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("payments", [1, 15])
def test_the_mission_page_is_bounded(people, alice, bob, django_assert_max_num_queries, payments):
    mission = paid_mission(bob, alice, payments)
    many_missions(bob, alice, 6)  # comparable missions
    for role in ("visitor", "member", "officer"):
        with django_assert_max_num_queries(MISSION_QUERIES):
            assert people[role].get(mission.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(MISSION_QUERIES):
        assert call(bearer(alice.user), "GET", f"/missions/{mission.pk}").status_code == 200
