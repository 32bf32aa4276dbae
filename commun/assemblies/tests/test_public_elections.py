"""Public elections: the officers choose, when they put an election on the agenda, that
each voice's vote is recorded by name, like a public resolution's; the same tallies
(majority or approval, seats, colleges), the roll shown after the close and listed in the
minutes. Every figure below is computed by hand.

Alice (an officer, contributors) chairs, Bob (users) is the secretary; U1 and U2 are users
(U2 gives her proxy to U1), Fé a founder, Céd a contributor. Colleges weigh 40 %
(founders), 30 % (contributors) and 30 % (users) when the vote is weighted.
"""

from fractions import Fraction

import pytest

from commun.assemblies import elections, minutes
from commun.assemblies.ballots import SecretRoll
from commun.assemblies.elections import ElectionBallot, ElectionVote, Method
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind
from commun.conftest import category, client_for, make_member
from commun.members.models import Member, Visibility
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(alice, bob):
    fe = make_member("fe@example.org", "Fé", "Roux", category("Responsables"), shares=2)
    Member.objects.filter(pk=fe.pk).update(public_visibility=Visibility.NAME)
    return {
        "alice": alice,
        "bob": bob,
        "fe": Member.objects.get(pk=fe.pk),
        "ced": make_member("ced@example.org", "Céd", "Gris", category("Contrib")),
        "u1": make_member("u1@example.org", "U1", "Test", category("Partenaires")),
        "u2": make_member("u2@example.org", "U2", "Test", category("Partenaires")),
    }


def public_election(people, seats, method, *candidates, **statutes):
    """A convened assembly whose second item is a public election among `candidates`; U2
    has given her proxy to U1."""
    alice = people["alice"]
    if statutes:
        AssemblyRules.of(Kind.ORDINARY).update(alice.user, **statutes)
    assembly = draft(alice.user)
    election = elections.add_election(
        alice.user, assembly, "Conseil coopératif", seats, method, secret=False
    )
    for name in candidates:
        elections.add_candidate(alice.user, election, people[name])
    assembly.convene(alice.user)
    u2 = people["u2"]
    assembly.participants.get(member=u2).answer(u2.user, "proxy", holder=people["u1"])
    return assembly, election


def open_with(assembly, people, *present) -> Assembly:
    alice, bob = people["alice"], people["bob"]
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for name in present:
        assembly.participants.get(member=people[name]).check_in(people[name].user)
    return assembly


def numbers(people, *names) -> list[int]:
    return [people[n].number for n in names]


def test_a_weighted_public_election_counts_every_voice_by_name(people):
    assembly, election = public_election(
        people, 1, Method.MAJORITY, "fe", "ced", weighted_by_college=True
    )
    open_with(assembly, people, "alice", "bob", "fe", "ced", "u1")
    alice = people["alice"]
    assembly.open_resolution(alice.user, election)
    vote = {
        name: numbers(people, *chosen)
        for name, chosen in {
            "fe": ["fe"],  # founders: 1 ballot, Fé 1
            "alice": ["ced"],  # contributors: 2 ballots, Céd 1, Fé 1
            "ced": ["fe"],
            "u1": ["fe"],  # users: 3 ballots, Fé 2, Céd 1
        }.items()
    }
    for name, chosen in vote.items():
        election.vote(people[name].user, chosen)
    election.vote(people["u1"].user, numbers(people, "fe"), principal=people["u2"])
    # Bob changes his mind before the close, as on a public resolution.
    election.vote(people["bob"].user, numbers(people, "fe"))
    election.vote(people["bob"].user, numbers(people, "ced"))
    election.close_vote(alice.user)

    # Fé: 40 × 1/1 + 30 × 1/2 + 30 × 2/3 = 75/100; Céd: 30 × 1/2 + 30 × 1/3 = 25/100.
    figures = election.result["election"]
    shares = {c["number"]: Fraction(c["share"]) for c in figures["candidates"]}
    assert shares == {people["fe"].number: Fraction(3, 4), people["ced"].number: Fraction(1, 4)}
    assert figures["elected"] == [people["fe"].number] and figures["ballots_cast"] == 6
    by_college = {c["name"]: c["ballots_cast"] for c in figures["colleges"]}
    assert by_college == {"Fondateur·ices": 1, "Contributeur·ices": 2, "Usager·es": 3}
    assert election.result["secret"] is False and election.adopted is True

    roll = {line["number"]: line for line in figures["roll"]}
    assert roll[people["u2"].number]["candidates"] == [people["fe"].number]
    assert roll[people["bob"].number]["candidates"] == [people["ced"].number]
    assert roll[people["fe"].number]["name"] == "Fé Roux"  # her public choice
    assert roll[people["ced"].number]["name"] == ""  # hidden from the public: a number
    assert list(roll) == sorted(roll)
    assert ElectionVote.objects.filter(item=election).count() == 6
    assert not ElectionBallot.objects.exists() and not SecretRoll.objects.exists()


def test_unweighted_approval_counts_the_same_as_a_secret_one(people):
    assembly, election = public_election(people, 2, Method.APPROVAL, "fe", "ced", "u1")
    open_with(assembly, people, "alice", "bob", "fe", "u1")
    assembly.open_resolution(people["alice"].user, election)
    election.vote(people["alice"].user, numbers(people, "fe", "ced"))
    election.vote(people["bob"].user, numbers(people, "ced"))
    election.vote(people["fe"].user, [])  # blank: not cast
    election.vote(people["u1"].user, numbers(people, "u1", "ced"))
    election.vote(people["u1"].user, numbers(people, "fe"), principal=people["u2"])
    election.close_vote(people["alice"].user)
    # 4 ballots cast: Céd 3/4, Fé 2/4, U1 1/4 for two seats.
    figures = election.result["election"]
    assert (figures["ballots_cast"], figures["blank_ballots"]) == (4, 1)
    assert figures["elected"] == numbers(people, "ced", "fe")
    blank = {line["number"]: line["candidates"] for line in figures["roll"]}
    assert blank[people["fe"].number] == []


def test_a_principal_who_comes_after_all_votes_for_herself(people):
    assembly, election = public_election(people, 1, Method.APPROVAL, "fe", "ced")
    open_with(assembly, people, "alice", "bob", "u1")
    assembly.open_resolution(people["alice"].user, election)
    election.vote(people["u1"].user, numbers(people, "fe"), principal=people["u2"])
    assembly.participants.get(member=people["u2"]).check_in(people["u2"].user)
    election.vote(people["u2"].user, numbers(people, "ced"))
    election.close_vote(people["alice"].user)
    roll = {line["number"]: line["candidates"] for line in election.result["election"]["roll"]}
    assert roll == {people["u2"].number: numbers(people, "ced")}


def test_the_chair_may_still_make_it_secret_before_its_vote(people):
    assembly, election = public_election(people, 1, Method.APPROVAL, "fe")
    open_with(assembly, people, "alice", "bob")
    election.mark_secret(people["alice"].user)
    assert AgendaItem.objects.get(pk=election.pk).secret is True


def test_the_minutes_list_each_voice(people):
    assembly, election = public_election(people, 1, Method.APPROVAL, "fe", "ced")
    open_with(assembly, people, "alice", "bob", "fe", "u1")
    alice = people["alice"]
    assembly.open_resolution(alice.user, election)
    election.vote(people["fe"].user, numbers(people, "fe"))
    election.vote(people["u1"].user, numbers(people, "ced", "fe"))
    election.vote(people["bob"].user, [])
    election.close_vote(alice.user)
    assembly.close_session(alice.user)
    text = minutes.text(Assembly.objects.get(pk=assembly.pk))
    fe, ced, u1, bob = numbers(people, "fe", "ced", "u1", "bob")
    assert "- Élection publique, le vote de chaque voix :" in text
    assert f"  - Fé Roux (n° {fe}) : n°{fe}\n" in text
    assert f"  - associé·e n° {u1} : n°{min(ced, fe)}, n°{max(ced, fe)}\n" in text
    assert f"  - associé·e n° {bob} : bulletin blanc\n" in text


def test_a_secret_election_keeps_no_roll(people):
    alice = people["alice"]
    assembly = draft(alice.user)
    election = elections.add_election(alice.user, assembly, "Conseil", 1, Method.APPROVAL)
    elections.add_candidate(alice.user, election, people["fe"])
    assembly.convene(alice.user)
    open_with(assembly, people, "alice", "bob")
    assembly.open_resolution(alice.user, election)
    election.vote(alice.user, numbers(people, "fe"))
    election.close_vote(alice.user)
    assert "roll" not in election.result["election"] and election.result["secret"] is True
    assert not ElectionVote.objects.exists()


def test_public_elections_through_the_api(people):
    alice, bob = people["alice"], people["bob"]
    assembly = draft(alice.user)
    officer = bearer(alice.user)
    body = {"title": "Conseil", "seats": 1, "method": "approval", "secret": False}
    created = call(officer, "POST", f"/assemblies/{assembly.pk}/elections", body)
    assert created.status_code == 201, created.content
    assert created.json()["items"][1]["secret"] is False
    election = assembly.items.get(position=2)
    elections.add_candidate(alice.user, election, people["fe"])
    assembly.convene(alice.user)
    open_with(assembly, people, "alice", "bob")
    assembly.open_resolution(alice.user, election)
    ballot = f"/assemblies/{assembly.pk}/resolutions/2/ballot"
    cast = call(bearer(bob.user), "PUT", ballot, {"candidates": [people["fe"].number]})
    assert cast.status_code == 200, cast.content
    assert cast.json()["receipt"] is None
    live = call(bearer(bob.user), "GET", f"/assemblies/{assembly.pk}/resolutions/2/result")
    assert live.json()["election"]["candidates"][0]["votes"] == 1
    election.close_vote(alice.user)
    result = call(bearer(bob.user), "GET", f"/assemblies/{assembly.pk}/resolutions/2/result")
    assert result.json()["election"]["roll"] == [
        {"number": bob.number, "name": "", "candidates": [people["fe"].number]}
    ]


def test_public_elections_on_the_pages(people):
    alice, bob = people["alice"], people["bob"]
    assembly = draft(alice.user)
    officer = client_for(alice.user)
    added = officer.post(
        f"/assemblees/{assembly.pk}/elections/",
        {"title": "Conseil", "seats": 1, "method": "approval"},  # the box unticked: public
    )
    assert added.status_code == 302
    election = assembly.items.get(position=2)
    assert election.secret is False
    elections.add_candidate(alice.user, election, people["fe"])
    assembly.convene(alice.user)
    open_with(assembly, people, "alice", "bob")
    assembly.open_resolution(alice.user, election)
    member = client_for(bob.user)
    url = f"/assemblees/{assembly.pk}/resolutions/2/bulletin/"
    cast = member.post(url, {"candidates": [people["fe"].number]}, follow=True)
    assert "Votre vote est enregistré." in cast.content.decode()
    ticked = f'name="candidates" value="{people["fe"].number}" checked'
    assert ticked in member.get(f"/assemblees/{assembly.pk}/").content.decode()
    election.close_vote(alice.user)
    page = member.get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Élection publique : le vote de chaque voix" in page
    assert f"associé·e n° {bob.number}" in page
