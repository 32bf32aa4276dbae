"""The published box of a closed secret vote: its chain without names, whether it holds,
and a receipt found or not.

Alice (an officer) chairs, Bob is the secretary; Céd is convened too. Zoé joins after the
convocation: not convened, she doesn't see the box unless the minutes are public.
"""

import pytest
from django.test import Client

from commun.assemblies import box, elections
from commun.assemblies.ballots import SecretBallot
from commun.assemblies.elections import ElectionBallot, Method
from commun.assemblies.models import AgendaItem, Assembly
from commun.conftest import category, client_for, make_member
from commun.testing.api import bearer, call
from commun.testing.appendonly import tamper
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def ced(coop):
    return make_member("ced@example.org", "Céd", "Gris", category("Contrib"))


def voted_in_secret(alice, bob, ced) -> tuple[Assembly, dict]:
    """Resolution 2 secret, voted by the three and closed; their receipts by name."""
    assembly = draft(alice.user)
    assembly.add_item(
        alice.user, AgendaItem.Kind.RESOLUTION, "Exclusion", "L'assemblée exclut…", secret=True
    )
    assembly.convene(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob, ced):
        assembly.participants.get(member=member).check_in(member.user)
    item = assembly.items.get(position=2)
    assembly.open_resolution(alice.user, item)
    receipts = {
        member.first_name: item.vote(member.user, choice).receipt
        for member, choice in ((alice, "yes"), (bob, "no"), (ced, "yes"))
    }
    item.close_vote(alice.user)
    return assembly, receipts


def page(client, assembly, receipt=None, position=2):
    query = {"recu": receipt} if receipt else {}
    return client.get(f"/assemblees/{assembly.pk}/resolutions/{position}/urne/", query)


def test_the_chain_is_listed_without_names_and_holds(alice, bob, ced):
    assembly, receipts = voted_in_secret(alice, bob, ced)
    response = page(client_for(bob.user), assembly)
    assert response.status_code == 200
    shown = response.content.decode()
    assert "La chaîne est intacte" in shown
    for ballot in SecretBallot.objects.all():
        assert box.receipt_hash(ballot.receipt) in shown and ballot.hash in shown
        assert ballot.receipt not in shown  # a receipt stays its holder's
    assert "Gris" not in shown and "Durand" not in shown
    assert [link.sequence for link in response.context["links"]] == [1, 2, 3]


def test_a_receipt_is_found_and_a_wrong_one_is_not(alice, bob, ced):
    assembly, receipts = voted_in_secret(alice, bob, ced)
    client = client_for(bob.user)
    found = page(client, assembly, receipts["Bob"].lower())
    sequence = SecretBallot.objects.get(receipt=receipts["Bob"]).sequence
    assert found.context["found"] == sequence
    assert "Votre bulletin est dans l'urne, donc compté" in found.content.decode()
    missing = page(client, assembly, "AAAA-BBBB-CCCC-DDDD")
    assert missing.context["found"] is None
    assert "Aucun bulletin ne porte ce code de reçu" in missing.content.decode()
    assert page(client, assembly, "\x00<script>").status_code == 200


def test_a_tampered_ballot_breaks_the_chain(alice, bob, ced):
    assembly, _receipts = voted_in_secret(alice, bob, ced)
    # What an intruder with the database owner's rights would do: turn ballot n°2 into a yes.
    table = SecretBallot._meta.db_table
    tamper(f"UPDATE {table} SET choice = 'yes' WHERE sequence = 2", tables=(table,))
    shown = page(client_for(bob.user), assembly)
    assert shown.context["intact"] is False and shown.context["broken_at"] == 2
    assert "La chaîne est rompue : le bulletin n°2" in shown.content.decode()


def test_who_sees_the_box(alice, bob, ced):
    assembly, _receipts = voted_in_secret(alice, bob, ced)
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    assert page(client_for(zoe.user), assembly).status_code == 404
    assert page(Client(), assembly).status_code == 404
    assert page(client_for(ced.user), assembly).status_code == 200
    # Resolution 1 was not secret, and nothing is at position 9: no box.
    assert page(client_for(bob.user), assembly, position=1).status_code == 404
    assert page(client_for(bob.user), assembly, position=9).status_code == 404


def test_public_minutes_publish_the_box_once_frozen(alice, bob, ced):
    assembly, _receipts = voted_in_secret(alice, bob, ced)
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    Assembly.objects.filter(pk=assembly.pk).update(
        phase=Assembly.Phase.MINUTES_FROZEN, rules={**assembly.rules, "minutes_public": True}
    )
    assert page(Client(), assembly).status_code == 200
    assert page(client_for(zoe.user), assembly).status_code == 200


def test_an_election_box_is_checked_too(alice, bob, ced):
    assembly = draft(alice.user)
    election = elections.add_election(alice.user, assembly, "Conseil", 1, Method.APPROVAL)
    elections.add_candidate(alice.user, election, ced)
    assembly.convene(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob):
        assembly.participants.get(member=member).check_in(member.user)
    assembly.open_resolution(alice.user, election)
    receipt = election.vote(bob.user, [ced.number]).receipt
    election.vote(alice.user, [])
    election.close_vote(alice.user)
    client = client_for(bob.user)
    assert page(client, assembly, receipt).context["found"] == 1
    assert box.verify(election) == (True, None)
    table = ElectionBallot._meta.db_table
    tamper(f"UPDATE {table} SET candidates = '[]' WHERE sequence = 1", tables=(table,))
    assert page(client, assembly).context["broken_at"] == 1


def test_the_box_through_the_api(alice, bob, ced):
    assembly, receipts = voted_in_secret(alice, bob, ced)
    url = f"/assemblies/{assembly.pk}/resolutions/2/box"
    answer = call(bearer(bob.user), "GET", url + f"?receipt={receipts['Céd']}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["intact"] is True and body["broken_at"] is None
    assert [b["sequence"] for b in body["ballots"]] == [1, 2, 3]
    assert body["receipt_found"] == SecretBallot.objects.get(receipt=receipts["Céd"]).sequence
    assert set(body["ballots"][0]) == {"sequence", "receipt_sha256", "previous_hash", "hash"}
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    assert call(bearer(zoe.user), "GET", url).status_code == 404
    assert call(Client(), "GET", url).status_code == 404
