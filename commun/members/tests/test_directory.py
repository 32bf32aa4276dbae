"""The directory of associates: members only, names as each chose, no N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commun.conftest import category, make_member
from commun.members.models import Member, Visibility

DIRECTORY = "/associes/"


def hide(member: Member, pseudonym: str = ""):
    Member.objects.filter(pk=member.pk).update(
        public_visibility=Visibility.HIDDEN, pseudonym=pseudonym
    )


def show_name(member: Member):
    Member.objects.filter(pk=member.pk).update(public_visibility=Visibility.NAME)


def test_members_see_each_other_with_category_college_and_date(people, alice, bob):
    show_name(alice)
    page = people["member"].get(DIRECTORY).content.decode()
    assert "Alice Martin" in page
    assert "Contributeur·ices" in page and "Usager·es" in page
    assert "15 jan. 2026" in page


def test_members_are_hidden_by_default_until_they_choose(people, alice):
    page = people["member"].get(DIRECTORY).content.decode()
    assert "Martin" not in page and f"Associé·e n°{alice.number}" in page


def test_a_hidden_member_shows_a_pseudonym_or_a_number(people, alice, bob):
    hide(alice)
    page = people["member"].get(DIRECTORY).content.decode()
    assert "Alice" not in page and "Martin" not in page
    assert f"Associé·e n°{alice.number}" in page
    hide(alice, pseudonym="Lis")
    page = people["member"].get(DIRECTORY).content.decode()
    assert "Lis" in page and "Martin" not in page


def test_a_hidden_member_still_sees_their_own_name(people, bob):
    hide(bob)
    assert "Bob Durand" in people["member"].get(DIRECTORY).content.decode()


def test_officers_see_every_name(people, bob):
    hide(bob)
    assert "Bob Durand" in people["officer"].get(DIRECTORY).content.decode()


def test_only_active_members_are_listed(people, coop):
    unpaid = make_member("eve@example.org", "Eve", "Impayée", category("Contrib"), paid=False)
    page = people["member"].get(DIRECTORY).content.decode()
    assert "Impayée" not in page and "Carol" not in page
    assert unpaid.status == Member.Status.ADMITTED


def test_search_by_name_pseudonym_or_number(people, alice, bob):
    show_name(bob)
    client = people["member"]
    page = client.get(DIRECTORY, {"q": "durand"}).content.decode()
    assert "Bob Durand" in page and "Alice" not in page
    assert list(client.get(DIRECTORY, {"q": str(alice.number)}).context["page"]) == [alice]


def test_a_hidden_member_is_not_found_by_their_name(people, alice):
    hide(alice, pseudonym="Lis")
    client = people["member"]
    assert list(client.get(DIRECTORY, {"q": "Martin"}).context["page"]) == []
    assert list(client.get(DIRECTORY, {"q": "lis"}).context["page"]) == [alice]


def test_a_pseudonym_members_are_not_shown_does_not_lead_to_the_name(people, alice):
    # Alice shows her name to the associates and « Lis » to the public: an associate who
    # searched « Lis » would learn whose public pseudonym it is.
    Member.objects.filter(pk=alice.pk).update(
        public_visibility=Visibility.PSEUDONYM, pseudonym="Lis", members_visibility="name"
    )
    client = people["member"]
    assert list(client.get(DIRECTORY, {"q": "lis"}).context["page"]) == []
    assert client.get("/api/v1/members", {"search": "lis"}).json()["items"] == []
    assert list(client.get(DIRECTORY, {"q": "Martin"}).context["page"]) == [alice]


def test_filter_by_category(people, alice, bob):
    response = people["member"].get(DIRECTORY, {"category": category("Contrib").pk})
    assert list(response.context["page"]) == [alice]


def test_an_unknown_filter_is_ignored_not_a_crash(people, alice, bob):
    response = people["member"].get(DIRECTORY, {"category": "nope", "page": "zzz"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 2


def test_the_directory_is_paginated_by_50(people, coop):
    for i in range(49):
        make_member(f"m{i}@example.org", f"Prénom{i}", "Nom", category("Partenaires"))
    client = people["member"]
    first = client.get(DIRECTORY)
    assert len(first.context["page"]) == 50
    assert first.context["page"].paginator.count == 51
    second = client.get(DIRECTORY, {"page": 2})
    assert len(second.context["page"]) == 1


def test_the_number_of_queries_does_not_grow_with_the_members(people, coop):
    client = people["member"]
    with CaptureQueriesContext(connection) as few:
        assert client.get(DIRECTORY).status_code == 200
    for i in range(30):
        member = make_member(f"m{i}@example.org", f"P{i}", "N", category("Partenaires"))
        if i % 3 == 0:
            hide(member)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DIRECTORY)
    assert len(response.context["page"]) == 32
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_script_tags_in_names_are_escaped(people, coop):
    show_name(make_member("x@example.org", "<script>alert(1)</script>", "X", category("Contrib")))
    page = people["member"].get(reverse("members:directory")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("query", ["²", "٣", "99999999999999999999"])
def test_a_search_for_a_number_no_member_can_have_finds_nobody(people, alice, query):
    page = people["member"].get(DIRECTORY, {"q": query})
    assert page.status_code == 200 and list(page.context["page"]) == []
    answer = people["member"].get("/api/v1/members", {"search": query})
    assert answer.status_code == 200, answer.content
    assert answer.json()["items"] == []
