"""Picking the proxy's holder, the chair or the secretary by name among the members
convened, without a name anyone hid leaking out.

Alice (officer) and Bob are convened; so is Hugo, who hides his name from the associates
behind the pseudonym « hibou »; Zoé joins after the convocation, so she is not convened.
"""

import pytest
from django.test import Client

from commun.assemblies.models import Assembly
from commun.assemblies.picker import MAX_RESULTS
from commun.conftest import category, client_for, make_member
from commun.members.models import Member, MembersSee
from commun.testing.api import bearer, call
from commun.testing.assemblies import convened

pytestmark = pytest.mark.django_db


@pytest.fixture
def hugo(coop):
    hugo = make_member("hugo@example.org", "Hugo", "Lefort", category("Contrib"))
    Member.objects.filter(pk=hugo.pk).update(pseudonym="hibou")
    return Member.objects.get(pk=hugo.pk)


@pytest.fixture
def assembly(alice, bob, hugo) -> Assembly:
    return convened(alice.user)


def options(client, assembly, text, field="holder") -> str:
    response = client.get(f"/assemblees/{assembly.pk}/associes/{field}/", {field: text})
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_the_hidden_surname_finds_nobody_the_pseudonym_finds_him(assembly, bob, hugo):
    client = client_for(bob.user)
    assert "<option" not in options(client, assembly, "Lefort")
    found = options(client, assembly, "hib")
    assert f'<option value="{hugo.number}">hibou (n° {hugo.number})</option>' in found
    assert "Lefort" not in found and "Hugo" not in found


def test_the_number_still_finds_him(assembly, bob, hugo):
    assert f'value="{hugo.number}"' in options(client_for(bob.user), assembly, str(hugo.number))


def test_an_officer_opening_the_session_finds_every_name(assembly, alice, hugo):
    found = options(client_for(alice.user), assembly, "Lefort", field="chair")
    assert 'id="id_chair-options"' in found and "Hugo Lefort" in found


def test_only_members_convened_are_offered(assembly, bob):
    make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    Member.objects.update(members_visibility=MembersSee.NAME)
    assert "<option" not in options(client_for(bob.user), assembly, "Lambert")
    assert "Alice Martin" in options(client_for(bob.user), assembly, "Martin")


def test_one_letter_offers_nobody(assembly, bob):
    Member.objects.update(members_visibility=MembersSee.NAME)
    assert "<option" not in options(client_for(bob.user), assembly, "a")


def test_a_few_names_at_most_in_a_bounded_number_of_queries(
    alice, bob, django_assert_max_num_queries
):
    for i in range(MAX_RESULTS + 5):
        make_member(f"m{i}@example.org", f"Prénom{i}", "Dupont", category("Partenaires"))
    Member.objects.update(members_visibility=MembersSee.NAME)
    assembly = convened(alice.user)
    client = client_for(bob.user)
    with django_assert_max_num_queries(8):
        found = options(client, assembly, "dupont")
    assert found.count("<option") == MAX_RESULTS


def test_who_may_not_answer_nor_open_is_refused(assembly, bob):
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    url = f"/assemblees/{assembly.pk}/associes/holder/"
    assert client_for(zoe.user).get(url, {"holder": "Martin"}).status_code == 403
    assert Client().get(url).status_code == 302
    assert client_for(bob.user).get(f"/assemblees/{assembly.pk}/associes/iban/").status_code == 404


def test_the_forms_offer_the_picker_and_still_take_a_number(assembly, alice, bob, hugo):
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    assert 'list="id_holder-options"' in page and '<datalist id="id_holder-options">' in page
    assert f'hx-get="/assemblees/{assembly.pk}/associes/holder/"' in page
    answered = client_for(bob.user).post(
        f"/assemblees/{assembly.pk}/reponse/", {"mode": "proxy", "holder": str(hugo.number)}
    )
    assert answered.status_code == 302
    assert assembly.participants.get(member=bob).holder.member == hugo


def test_a_name_typed_without_picking_is_a_clear_error(assembly, bob):
    response = client_for(bob.user).post(
        f"/assemblees/{assembly.pk}/reponse/", {"mode": "proxy", "holder": "hibou"}
    )
    assert response.status_code == 422
    assert "Choisissez une personne dans la liste" in response.content.decode()
    assert assembly.participants.get(member=bob).mode == ""


def test_the_api_finds_by_shown_name_only(assembly, bob, hugo):
    client = bearer(bob.user)
    url = f"/assemblies/{assembly.pk}/convened?search="
    assert call(client, "GET", url + "Lefort").json() == []
    assert call(client, "GET", url + "hibou").json() == [{"number": hugo.number, "name": "hibou"}]
