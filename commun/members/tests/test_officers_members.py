"""Officers list the members and give or take the officer role; one officer always remains."""

from django.urls import reverse

from commun.conftest import category, make_member
from commun.members.models import Member


def set_officer(client, member, officer: bool):
    return client.post(
        reverse("officers:set_officer", args=[member.number]),
        {"officer": "1" if officer else "0"},
        follow=True,
    )


def test_the_last_officer_cannot_remove_their_own_role(people, alice):
    response = set_officer(people["officer"], alice, False)
    assert "la ou le dernier responsable" in response.content.decode()
    assert Member.objects.get(pk=alice.pk).is_officer


def test_an_officer_names_another_then_may_step_down(people, alice, bob):
    response = set_officer(people["officer"], bob, True)
    assert "Bob Durand est désormais responsable." in response.content.decode()
    assert Member.objects.get(pk=bob.pk).is_officer
    set_officer(people["officer"], alice, False)
    assert not Member.objects.get(pk=alice.pk).is_officer
    # Alice is no longer an officer: the pages now refuse her.
    assert people["officer"].get(reverse("officers:dashboard")).status_code == 403


def test_a_member_whose_shares_are_unpaid_cannot_become_officer(people, coop):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), paid=False)
    response = set_officer(people["officer"], eve, True)
    assert "parts sont libérées" in response.content.decode()
    assert not Member.objects.get(pk=eve.pk).is_officer


def test_the_list_shows_members_with_their_status_and_filters_them(people, coop):
    eve = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), paid=False)
    html = people["officer"].get(reverse("officers:members")).content.decode()
    for name in ("Alice Martin", "Bob Durand", "Eve Leroy"):
        assert name in html
    assert "Admis·e, parts à libérer" in html
    assert f"?kind=payment&amp;member={eve.number}" in html
    html = people["officer"].get(reverse("officers:members"), {"status": "admitted"})
    html = html.content.decode()
    assert "Eve Leroy" in html and "Bob Durand" not in html
