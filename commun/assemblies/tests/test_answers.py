"""Before the day: each member convened answers present, remote, a proxy or an advance vote.

Gus and Hana are convened too; Zoé joins after the convocation, so she is not.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.assemblies.models import Assembly, Participant
from commun.conftest import category, client_for, make_member
from commun.testing.api import bearer, call
from commun.testing.assemblies import convened

pytestmark = pytest.mark.django_db


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def hana(coop):
    return make_member("hana@example.org", "Hana", "Roux", category("Contrib"))


@pytest.fixture
def assembly(alice, bob, gus, hana) -> Assembly:
    return convened(alice.user, max_proxies=1)


def row(assembly, member) -> Participant:
    return assembly.participants.get(member=member)


def test_a_member_answers_present_then_remote(assembly, bob):
    row(assembly, bob).answer(bob.user, "present")
    row(assembly, bob).answer(bob.user, "remote")
    assert row(assembly, bob).mode == "remote"


def test_a_proxy_goes_to_another_member_convened(assembly, bob, gus):
    row(assembly, bob).answer(bob.user, "proxy", holder=gus)
    assert row(assembly, bob).holder == row(assembly, gus)
    assert row(assembly, gus).proxies.count() == 1


def test_a_proxy_is_revoked_by_any_new_answer_before_the_opening(assembly, bob, gus):
    row(assembly, bob).answer(bob.user, "proxy", holder=gus)
    row(assembly, bob).answer(bob.user, "present")
    assert row(assembly, bob).holder is None
    assert not row(assembly, gus).proxies.exists()


def test_no_proxy_to_oneself(assembly, bob):
    with pytest.raises(ValidationError, match="à soi-même"):
        row(assembly, bob).answer(bob.user, "proxy", holder=bob)
    assert row(assembly, bob).mode == ""


def test_no_proxy_to_a_member_who_was_not_convened(assembly, bob):
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    with pytest.raises(ValidationError, match="pas convoquée"):
        row(assembly, bob).answer(bob.user, "proxy", holder=zoe)
    assert row(assembly, bob).mode == ""


def test_no_proxy_beyond_the_holder_s_limit(assembly, bob, gus, hana):
    row(assembly, bob).answer(bob.user, "proxy", holder=gus)
    with pytest.raises(ValidationError, match="déjà 1 pouvoir"):
        row(assembly, hana).answer(hana.user, "proxy", holder=gus)
    assert row(assembly, hana).holder is None
    # Giving the same proxy again to the same holder is not a second one.
    row(assembly, bob).answer(bob.user, "proxy", holder=gus)
    assert row(assembly, gus).proxies.count() == 1


def test_blank_proxies_to_the_chair_have_no_limit(assembly, bob, hana):
    row(assembly, bob).answer(bob.user, "chair")
    row(assembly, hana).answer(hana.user, "chair")
    assert assembly.participants.filter(mode="chair").count() == 2


def test_no_chain_of_proxies(assembly, alice, bob, gus, hana):
    row(assembly, gus).answer(gus.user, "proxy", holder=hana)
    with pytest.raises(ValidationError, match="a elle-même donné son pouvoir"):
        row(assembly, bob).answer(bob.user, "proxy", holder=gus)
    row(assembly, bob).answer(bob.user, "proxy", holder=alice)
    with pytest.raises(ValidationError, match="Vous portez des pouvoirs"):
        row(assembly, alice).answer(alice.user, "proxy", holder=hana)
    with pytest.raises(ValidationError, match="Vous portez des pouvoirs"):
        row(assembly, alice).answer(alice.user, "chair")


def test_proxies_and_advance_votes_as_the_statutes_allow(alice, bob, gus):
    assembly = convened(alice.user, proxies_allowed=False, max_proxies=0)
    with pytest.raises(ValidationError, match="n'admettent pas les pouvoirs"):
        row(assembly, bob).answer(bob.user, "proxy", holder=gus)
    with pytest.raises(ValidationError, match="ne prévoient pas de vote"):
        row(assembly, bob).answer(bob.user, "advance")


def test_nobody_answers_for_someone_else_nor_once_the_assembly_opened(assembly, alice, bob):
    with pytest.raises(PermissionDenied):
        row(assembly, bob).answer(alice.user, "present")
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    with pytest.raises(PermissionDenied, match="En séance"):
        row(assembly, bob).answer(bob.user, "present")
    assert row(assembly, bob).mode == ""


def test_the_turnout_counts_the_answers(assembly, alice, bob, gus, hana):
    row(assembly, alice).answer(alice.user, "present")
    row(assembly, bob).answer(bob.user, "proxy", holder=alice)
    row(assembly, gus).answer(gus.user, "remote")
    turnout = assembly.turnout()
    assert sum(t.eligible for t in turnout.values()) == 4
    assert sum(t.voices(advance_votes_count=False) for t in turnout.values()) == 3


def test_answering_on_the_page(assembly, bob, gus):
    client = client_for(bob.user)
    page = client.get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Votre participation" in page and "Pouvoir en blanc à la présidence" in page
    response = client.post(
        f"/assemblees/{assembly.pk}/reponse/", {"mode": "proxy", "holder": gus.number}
    )
    assert response.status_code == 302
    assert row(assembly, bob).holder.member == gus
    response = client.post(
        f"/assemblees/{assembly.pk}/reponse/", {"mode": "proxy", "holder": bob.number}
    )
    assert response.status_code == 422
    assert "à soi-même" in response.context["forms"]["answer"].errors["holder"][0]
    response = client.post(f"/assemblees/{assembly.pk}/reponse/", {"mode": "proxy", "holder": 9999})
    assert response.status_code == 422
    assert row(assembly, bob).holder.member == gus


def test_an_applicant_does_not_even_see_the_assembly(assembly, carol):
    client = client_for(carol.user)
    assert client.get(f"/assemblees/{assembly.pk}/").status_code == 404
    response = client.post(f"/assemblees/{assembly.pk}/reponse/", {"mode": "present"})
    assert response.status_code == 404


def test_answering_through_the_api(assembly, bob, gus):
    client = bearer(bob.user)
    response = call(
        client,
        "PUT",
        f"/assemblies/{assembly.pk}/answer",
        {"mode": "proxy", "holder_number": gus.number},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"mode": "proxy", "holder_number": gus.number}
    response = call(
        client,
        "PUT",
        f"/assemblies/{assembly.pk}/answer",
        {"mode": "proxy", "holder_number": bob.number},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "holder_number"
    response = call(client, "PUT", f"/assemblies/{assembly.pk}/answer", {"mode": "everything"})
    assert response.status_code == 422
    detail = call(client, "GET", f"/assemblies/{assembly.pk}").json()
    assert (
        detail["actions"] == ["answer", "ask_item"] and detail["items"][0]["kind"] == "resolution"
    )


def test_no_proxy_to_a_member_who_votes_before_the_day(alice, bob, gus):
    """A proxy counts only through a holder in the room or remote: given to a member who
    votes in advance, it would vanish from the quorum and every vote."""
    assembly = convened(alice.user, advance_votes_count=True)
    row(assembly, gus).answer(gus.user, "advance")
    with pytest.raises(ValidationError, match="vote avant la séance et ne porte pas de pouvoir"):
        row(assembly, bob).answer(bob.user, "proxy", holder=gus)
    assert row(assembly, bob).mode == ""
