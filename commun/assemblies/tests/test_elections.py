"""Elections of officers: candidates (members) until the vote opens, seats, by majority or
approval, by secret ballot; results per college, weighted when the rules say so; ties
stated. Every figure below is computed by hand.

Alice (an officer, contributors) chairs, Bob (users) is the secretary; U1 to U6 are users,
Fé a founder, Céd a contributor. Colleges weigh 40 % (founders), 30 % (contributors) and
30 % (users) when the vote is weighted.
"""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.assemblies import amendments, elections
from commun.assemblies.ballots import SecretRoll
from commun.assemblies.elections import Candidate, ElectionBallot, Method, elect
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Vote
from commun.conftest import category, client_for, make_member
from commun.members.models import Member
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(alice, bob):
    users = [
        make_member(f"u{i}@example.org", f"U{i}", "Test", category("Partenaires"))
        for i in range(1, 7)
    ]
    fe = make_member("fe@example.org", "Fé", "Roux", category("Responsables"), shares=2)
    ced = make_member("ced@example.org", "Céd", "Gris", category("Contrib"))
    return {
        "alice": alice,
        "bob": bob,
        "fe": fe,
        "ced": ced,
        **{f"u{i}": u for i, u in enumerate(users, start=1)},
    }


def with_election(people, seats, method, *candidates, **statutes) -> tuple[Assembly, AgendaItem]:
    """A convened assembly whose second item elects `seats` among `candidates`."""
    alice = people["alice"]
    if statutes:
        AssemblyRules.of(Kind.ORDINARY).update(alice.user, **statutes)
    assembly = draft(alice.user)
    election = elections.add_election(alice.user, assembly, "Conseil coopératif", seats, method)
    for name in candidates:
        elections.add_candidate(alice.user, election, people[name])
    assembly.convene(alice.user)
    return assembly, election


def in_session(assembly, people, *present) -> Assembly:
    alice, bob = people["alice"], people["bob"]
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for name in present:
        assembly.participants.get(member=people[name]).check_in(people[name].user)
    return assembly


def ballots(assembly, election, people, **named) -> AgendaItem:
    """Open the election, cast each voter's ballot (names of the candidates), close it."""
    alice = people["alice"]
    assembly.open_resolution(alice.user, election)
    for voter, chosen in named.items():
        election.vote(people[voter].user, [people[c].number for c in chosen])
    return election.close_vote(alice.user)


def outcome(election, people):
    numbers = {m.number: name for name, m in people.items()}
    figures = election.result["election"]
    return [numbers[n] for n in figures["elected"]], [numbers[n] for n in figures["tied"]]


def test_by_majority_only_those_on_more_than_half_the_ballots_are_elected(people):
    assembly, election = with_election(people, 2, Method.MAJORITY, "fe", "ced", "u1", "u2")
    in_session(assembly, people, "alice", "bob", "fe", "ced", "u1", "u2", "u3")
    ballots(
        assembly,
        election,
        people,
        alice=["fe", "ced"],
        bob=["fe", "u1"],
        fe=["fe", "ced"],
        ced=["ced"],
        u1=["u1", "fe"],
        u2=[],  # blank: not a vote cast
        u3=["u2"],
    )
    # 6 ballots cast: Fé 4/6 is elected; Céd 3/6 is not more than half: one seat left empty.
    figures = election.result["election"]
    assert (figures["ballots_cast"], figures["blank_ballots"]) == (6, 1)
    votes = {c["number"]: (c["votes"], Fraction(c["share"])) for c in figures["candidates"]}
    assert votes[people["fe"].number] == (4, Fraction(2, 3))
    assert votes[people["ced"].number] == (3, Fraction(1, 2))
    assert outcome(election, people) == (["fe"], [])
    assert election.adopted is True
    assert not Vote.objects.exists() and SecretRoll.objects.filter(item=election).count() == 7


def test_by_approval_the_most_approved_are_elected_and_ties_are_stated(people):
    assembly, election = with_election(people, 1, Method.APPROVAL, "fe", "ced")
    in_session(assembly, people, "alice", "bob", "ced")
    ballots(assembly, election, people, alice=["fe", "ced"], bob=["fe"], ced=["ced"])
    # Fé 2, Céd 2 for one seat: a tie, nobody elected, both named.
    assert outcome(election, people) == ([], ["fe", "ced"])
    assert election.adopted is False


def test_a_weighted_approval_vote_weighs_each_college(people):
    assembly, election = with_election(
        people, 2, Method.APPROVAL, "fe", "ced", "u1", weighted_by_college=True
    )
    in_session(assembly, people, "alice", "ced", "bob", "u1", "fe")
    ballots(
        assembly,
        election,
        people,
        fe=["fe"],  # founders: 1 ballot, Fé 1
        alice=["ced", "u1"],  # contributors: 2 ballots, Céd 2, U1 1
        ced=["ced"],
        bob=["u1"],  # users: 2 ballots, U1 2, Fé 1
        u1=["u1", "fe"],
    )
    # Fé 40 × 1 + 30 × 1/2 = 55/100; Céd 30 × 2/2 = 30/100; U1 30 × 1/2 + 30 × 2/2 = 45/100.
    figures = election.result["election"]
    shares = {c["number"]: Fraction(c["share"]) for c in figures["candidates"]}
    assert shares == {
        people["fe"].number: Fraction(55, 100),
        people["ced"].number: Fraction(30, 100),
        people["u1"].number: Fraction(45, 100),
    }
    assert outcome(election, people) == (["fe", "u1"], [])
    by_college = {c["name"]: c["ballots_cast"] for c in figures["colleges"]}
    assert by_college == {"Fondateur·ices": 1, "Contributeur·ices": 2, "Usager·es": 2}


def test_ties_for_the_last_seats_leave_them_open():
    a, b, c = 1, 2, 3
    shares = {a: Fraction(3, 5), b: Fraction(2, 5), c: Fraction(2, 5)}
    assert elect(shares, 2, Method.APPROVAL) == ([a], [b, c])
    assert elect(shares, 3, Method.APPROVAL) == ([a, b, c], [])
    assert elect(shares, 1, Method.MAJORITY) == ([a], [])
    assert elect({a: Fraction(1, 2)}, 1, Method.MAJORITY) == ([], [])


def test_candidates_until_the_vote_opens(people):
    alice, u1, u2 = people["alice"], people["u1"], people["u2"]
    assembly, election = with_election(people, 1, Method.MAJORITY, "fe")
    elections.add_candidate(u1.user, election, u1)  # puts themselves forward
    with pytest.raises(ValidationError, match="votre propre candidature"):
        elections.add_candidate(u1.user, election, u2)
    with pytest.raises(ValidationError, match="déjà candidate"):
        elections.add_candidate(alice.user, election, people["fe"])
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    with pytest.raises(ValidationError, match="pas convoquée"):
        elections.add_candidate(alice.user, election, zoe)  # admitted after the convocation
    in_session(assembly, people, "alice", "bob")
    elections.add_candidate(alice.user, election, people["ced"])  # the chair, in session
    assembly.open_resolution(alice.user, election)
    with pytest.raises(ValidationError, match="on n'ajoute plus"):
        elections.add_candidate(u2.user, election, u2)
    resolution = assembly.items.get(position=1)
    with pytest.raises(ValidationError, match="Seule une élection"):
        elections.add_candidate(alice.user, resolution, u2)
    assert sorted(Candidate.objects.values_list("member__first_name", flat=True)) == [
        "Céd",
        "Fé",
        "U1",
    ]


def test_bad_ballots_are_refused_with_nothing_written(people):
    assembly, election = with_election(people, 1, Method.MAJORITY, "fe", "ced")
    in_session(assembly, people, "alice", "bob")
    bob = people["bob"]
    fe, ced = people["fe"].number, people["ced"].number
    with pytest.raises(ValidationError, match="n'est pas ouvert"):
        election.vote(bob.user, [fe])
    assembly.open_resolution(people["alice"].user, election)
    for bad, message in (
        ([fe, ced], "1 candidat·es au plus"),
        ([people["u1"].number], "pas candidat·e"),
        ([fe, fe], "qu'une fois"),
        ("yes", "par leur numéro"),
    ):
        with pytest.raises(ValidationError, match=message):
            election.vote(bob.user, bad)
    election.vote(bob.user, [fe])
    with pytest.raises(ValidationError, match="un vote ne se change pas"):
        election.vote(bob.user, [ced])
    election.close_vote(people["alice"].user)
    with pytest.raises(ValidationError, match="n'est pas ouvert"):
        election.vote(people["alice"].user, [ced])
    assert ElectionBallot.objects.count() == 1


def test_who_prepares_an_election(people):
    alice, bob = people["alice"], people["bob"]
    assembly = draft(alice.user)
    with pytest.raises(PermissionDenied):
        elections.add_election(bob.user, assembly, "Conseil", 1, Method.MAJORITY)
    for seats, method, field in ((0, "majority", "seats"), (1, "lots", "method")):
        with pytest.raises(ValidationError) as refused:
            elections.add_election(alice.user, assembly, "Conseil", seats, method)
        assert field in refused.value.message_dict
    assert not assembly.items.filter(kind=AgendaItem.Kind.ELECTION).exists()


def test_elections_through_the_api(people):
    alice, bob, u1 = people["alice"], people["bob"], people["u1"]
    assembly = draft(alice.user)
    officer = bearer(alice.user)
    body = {"title": "Conseil coopératif", "seats": 1, "method": "approval"}
    assert (
        call(bearer(bob.user), "POST", f"/assemblies/{assembly.pk}/elections", body).status_code
        == 404
    )
    made = call(officer, "POST", f"/assemblies/{assembly.pk}/elections", body)
    assert made.status_code == 201, made.content
    assert made.json()["items"][1]["kind"] == "election"
    path = f"/assemblies/{assembly.pk}/resolutions/2"
    added = call(officer, "POST", path + "/candidates", {"member_number": people["fe"].number})
    assert (
        added.status_code == 201 and added.json()["candidates"][0]["number"] == people["fe"].number
    )
    assembly.convene(alice.user)
    again = call(officer, "POST", path + "/candidates", {"member_number": people["fe"].number})
    assert again.status_code == 422 and "déjà candidate" in again.text
    assert (
        call(
            bearer(u1.user), "POST", path + "/candidates", {"member_number": u1.number}
        ).status_code
        == 201
    )
    in_session(assembly, people, "alice", "bob", "u1")
    assert call(officer, "POST", path + "/open").status_code == 200
    cast = call(bearer(bob.user), "PUT", path + "/ballot", {"candidates": [u1.number]})
    assert cast.status_code == 200 and len(cast.json()["receipt"]) == 19
    wrong = call(bearer(u1.user), "PUT", path + "/ballot", {"candidates": [bob.number]})
    assert wrong.status_code == 422 and "candidates" in str(wrong.json()["detail"])
    assert call(bearer(u1.user), "PUT", path + "/vote", {"choice": "yes"}).status_code == 422
    live = call(bearer(bob.user), "GET", path + "/result").json()
    assert (live["ballots_cast"], live["election"]) == (1, None)
    closed = call(officer, "POST", path + "/close").json()
    assert closed["election"]["elected"] == [u1.number] and closed["adopted"] is True


def test_elections_on_the_pages(people):
    alice, bob, u1 = people["alice"], people["bob"], people["u1"]
    assembly, election = with_election(people, 1, Method.MAJORITY, "fe", "u1")
    in_session(assembly, people, "alice", "bob")
    page = f"/assemblees/{assembly.pk}/"
    chair, secretary = client_for(alice.user), client_for(bob.user)
    shown = chair.get(page).content.decode()
    assert "Élection — Conseil coopératif" in shown and "Fé Roux" in shown
    assert chair.post(page + "resolutions/2/ouvrir/").status_code == 302
    ballot = secretary.get(page).content.decode()
    assert 'type="checkbox" name="candidates"' in ballot
    assert (
        secretary.post(page + "resolutions/2/bulletin/", {"candidates": ["douze"]}).status_code
        == 422
    )
    voted = secretary.post(page + "resolutions/2/bulletin/", {"candidates": [str(u1.number)]})
    assert voted.status_code == 302
    assert chair.post(page + "resolutions/2/clore/").status_code == 302
    result = secretary.get(page).content.decode()
    # The result is kept as the public may read it: U1 shows the public nothing of themself.
    assert "Élu·e" in result and f"Associé·e n°{u1.number}" in result
    assert "U1 Test" not in result


def test_a_second_convocation_elects_the_same_seats_among_the_same_candidates(people):
    alice = people["alice"]
    assembly, election = with_election(people, 2, Method.APPROVAL, "fe", "ced")
    in_session(assembly, people, "u1")
    amendments.propose(people["u1"].user, assembly.items.get(position=1), "Un autre texte")
    assembly.record_failure(alice.user)  # one voice of ten: no quorum
    later = assembly.starts_at + (assembly.starts_at - assembly.created_at)
    second = assembly.convene_again(alice.user, later)
    kinds = list(second.items.values_list("kind", "amends"))
    assert kinds == [("resolution", None), ("election", None)]  # not the amendment
    copy = second.items.get(position=2).election
    assert (copy.seats, copy.method) == (2, "approval")
    assert sorted(copy.candidates.values_list("member__first_name", flat=True)) == ["Céd", "Fé"]


def test_the_minutes_name_the_elected_the_amendment_and_the_text_voted(people):
    from commun.assemblies import minutes
    from commun.testing.assemblies import vote_on

    Member.objects.filter(pk=people["fe"].pk).update(public_visibility="name")
    assembly, election = with_election(people, 1, Method.MAJORITY, "fe", "ced")
    in_session(assembly, people, "alice", "bob", "fe", "ced", "u1")
    resolution = assembly.items.get(position=1)
    amendment = amendments.propose(people["u1"].user, resolution, "L'assemblée approuve, sauf…")
    amendments.decide(people["alice"].user, amendment, admitted=True)
    voters = ("alice", "bob", "fe", "ced", "u1")
    vote_on(assembly, people["alice"], amendment.position, {people[n]: "yes" for n in voters})
    vote_on(assembly, people["alice"], 1, {people[n]: "yes" for n in voters})
    ballots(assembly, election, people, alice=["fe"], bob=["fe"], fe=["fe"], ced=["ced"], u1=[])

    text = minutes.text(Assembly.objects.get(pk=assembly.pk))
    assert f"Amendement n°{amendment.position} à la résolution n°1" in text
    assert "Texte mis au vote, tel qu'amendé :\n\nL'assemblée approuve, sauf…" in text
    assert "Élection n°2 : Conseil coopératif" in text
    assert "bulletins exprimés : 4, bulletins blancs : 1" in text
    assert f"Fé Roux (n°{people['fe'].number}) — voix : 3, part : 75,00 % — élu·e" in text
    assert "Pour : 0, contre : 0" not in text  # an election is not a show of hands
