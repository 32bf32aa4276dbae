"""Every officer page and action × every role: only an active officer gets through."""

import pytest
from django.urls import reverse

from commun.members.models import Application, Member, ShareMovement

PAGES = [
    "officers:dashboard",
    "officers:applications",
    "officers:record_movement",
    "officers:repayments",
    "officers:profile",
    "officers:members",
]
ACTIONS = [
    "officers:admit_application",
    "officers:refuse_application",
    "officers:record_resignation",
    "officers:process_repayments",
    "officers:set_officer",
]


def url(name, carol, bob):
    if name in ("officers:admit_application", "officers:refuse_application"):
        return reverse(name, args=[carol.pk])
    if name == "officers:set_officer":
        return reverse(name, args=[bob.number])
    return reverse(name)


def test_the_matrix_covers_every_officer_url():
    from commun.members.officer_urls import urlpatterns

    assert {f"officers:{p.name}" for p in urlpatterns} == set(PAGES + ACTIONS)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", PAGES + ACTIONS)
def test_a_visitor_is_sent_to_the_login_page(people, carol, bob, name, method):
    target = url(name, carol, bob)
    response = getattr(people["visitor"], method)(target, {"reason": "Non", "member": bob.number})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", PAGES + ACTIONS)
@pytest.mark.parametrize("role", ["applicant", "account", "member"])
def test_anyone_but_an_officer_is_forbidden(people, carol, bob, name, method, role):
    movements = ShareMovement.objects.count()
    data = {"reason": "Non", "member": bob.number, "officer": "1", "date": "2026-01-20"}
    response = getattr(people[role], method)(url(name, carol, bob), data)
    assert response.status_code == 403
    # Nothing was done on their behalf either.
    carol.refresh_from_db()
    assert carol.status == Application.Status.PENDING
    assert ShareMovement.objects.count() == movements
    assert not Member.objects.get(pk=bob.pk).is_officer
    assert bob.status == Member.objects.get(pk=bob.pk).status


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", PAGES + ACTIONS)
def test_an_officer_gets_through(people, carol, bob, name, method):
    response = getattr(people["officer"], method)(url(name, carol, bob))
    if method == "get" and name in ACTIONS:
        assert response.status_code == 405  # actions only answer POST
    else:
        assert response.status_code in (200, 302)


def test_a_former_officer_who_resigned_is_forbidden(people, alice, bob):
    Member.objects.filter(pk=bob.pk).update(is_officer=True)
    Member.objects.filter(pk=alice.pk).update(status=Member.Status.LEAVING)
    response = people["officer"].get(reverse("officers:dashboard"))
    assert response.status_code == 403


def test_the_predicates_agree_with_the_roles(alice, bob, carol, dan):
    from django.contrib.auth.models import AnonymousUser

    from commun.members.rules import (
        can_see_certificate,
        can_see_register,
        is_active_member,
        is_officer,
    )

    anonymous = AnonymousUser()
    assert [is_officer(u) for u in (anonymous, dan, carol.user, bob.user, alice.user)] == [
        False,
        False,
        False,
        False,
        True,
    ]
    assert [is_active_member(u) for u in (anonymous, dan, carol.user, bob.user, alice.user)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert can_see_register(bob.user) and not can_see_register(carol.user)
    assert can_see_certificate(bob.user, bob) and can_see_certificate(alice.user, bob)
    assert not can_see_certificate(bob.user, alice)
    assert not can_see_certificate(anonymous, bob) and not can_see_certificate(dan, bob)
