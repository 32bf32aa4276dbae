"""Advance votes per resolution: a member who answered « vote par correspondance ou en
ligne » votes on each resolution before the opening, and that vote counts at the
resolution's close like a present member's — unless they come and vote in the room.

Ten members convened to an ordinary assembly whose statutes count advance votes (a fifth
is 2 voices): Alice (an officer, contributors) chairs, Bob (users) is the secretary; U1 to
U6 are users, Fé a founder, Céd a contributor.
"""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commun.assemblies.ballots import AdvanceVote
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Vote
from commun.conftest import category, client_for, make_member
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
    return {"alice": alice, "bob": bob, "fe": fe, "ced": ced, "users": users}


def convened(alice, **statutes) -> Assembly:
    """Two resolutions (positions 1 and 3) around an information item."""
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, advance_votes_count=True, **statutes)
    assembly = draft(alice.user)
    assembly.add_item(alice.user, AgendaItem.Kind.INFORMATION, "Rapport de gestion")
    assembly.add_item(alice.user, AgendaItem.Kind.RESOLUTION, "Affectation", "Le résultat…")
    assembly.convene(alice.user)
    return assembly


@pytest.fixture
def assembly(people) -> Assembly:
    return convened(people["alice"])


def row(assembly, member):
    return assembly.participants.get(member=member)


def in_advance(assembly, member, *choices):
    """`member` answers « advance » and votes `choices` on the resolutions, in order."""
    row(assembly, member).answer(member.user, "advance")
    for item, choice in zip(resolutions(assembly), choices, strict=False):
        AdvanceVote.cast(member.user, item, choice)


def resolutions(assembly):
    return list(assembly.items.filter(kind=AgendaItem.Kind.RESOLUTION))


def in_session(assembly, people, *present) -> Assembly:
    alice, bob = people["alice"], people["bob"]
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in present:
        row(assembly, member).check_in(member.user)
    return assembly


def voted(assembly, people, item, **in_the_room) -> AgendaItem:
    """Open `item`, cast the room's votes (name → choice), close it."""
    alice = people["alice"]
    assembly.open_resolution(alice.user, item)
    for name, choice in in_the_room.items():
        item.vote(people[name].user, choice)
    return item.close_vote(alice.user)


def test_an_advance_voter_votes_each_resolution_and_may_change_until_the_opening(assembly, people):
    u1 = people["users"][0]
    first, second = resolutions(assembly)
    in_advance(assembly, u1, "yes", "no")
    AdvanceVote.cast(u1.user, first, "abstain")
    assert AdvanceVote.of(assembly, u1) == {first.pk: "abstain", second.pk: "no"}
    in_session(assembly, people)
    with pytest.raises(PermissionDenied, match="voter avant la séance"):
        AdvanceVote.cast(u1.user, first, "yes")  # the session is open
    assert AdvanceVote.of(assembly, u1) == {first.pk: "abstain", second.pk: "no"}


def test_advance_votes_count_at_each_close_like_a_present_members(assembly, people):
    u1, u2, u3 = people["users"][:3]
    in_advance(assembly, u1, "yes", "yes")
    in_advance(assembly, u2, "no", "abstain")
    in_advance(assembly, u3, "yes")  # nothing sent on the second resolution
    in_advance(assembly, people["fe"], "yes", "no")
    in_session(assembly, people, people["alice"], people["bob"])
    first, second = resolutions(assembly)
    voted(assembly, people, first, alice="no", bob="no")
    # Yes: U1, U3, Fé in advance; no: U2 in advance, Alice and Bob in the room.
    assert (first.result["yes"], first.result["no"], first.result["abstain"]) == (3, 3, 0)
    assert first.result["advance_votes"] == 4
    assert first.adopted is False  # 3 of 6 is not more than half
    by_college = {c["name"]: (c["yes"], c["no"]) for c in first.result["colleges"]}
    assert by_college == {
        "Fondateur·ices": (1, 0),
        "Contributeur·ices": (0, 1),
        "Usager·es": (2, 2),
    }
    voted(assembly, people, second, alice="yes")
    # Yes: U1, Alice; no: Fé; U2 abstains; U3 sent nothing; Bob didn't vote.
    assert (second.result["yes"], second.result["no"], second.result["abstain"]) == (2, 1, 1)
    assert (second.result["advance_votes"], second.adopted) == (3, True)


def test_an_advance_voter_who_signs_in_votes_in_the_room_and_the_advance_vote_lapses(
    assembly, people
):
    u1 = people["users"][0]
    in_advance(assembly, u1, "yes")
    in_session(assembly, people, people["alice"], people["bob"], u1)
    first = resolutions(assembly)[0]
    voted(assembly, people, first, bob="yes")
    assert (first.result["yes"], first.result["advance_votes"]) == (1, 0)  # U1 didn't vote
    assert AdvanceVote.objects.count() == 1  # kept, not counted


def test_an_advance_vote_lapses_when_the_member_answers_otherwise(assembly, people):
    u1, u2 = people["users"][:2]
    in_advance(assembly, u1, "yes")
    row(assembly, u1).answer(u1.user, "proxy", people["bob"])
    in_advance(assembly, u2, "no")
    row(assembly, u2).answer(u2.user, "present")  # and then doesn't come
    in_session(assembly, people, people["alice"], people["bob"])
    first = resolutions(assembly)[0]
    voted(assembly, people, first, alice="no")
    first.refresh_from_db()
    assert (first.result["yes"], first.result["no"], first.result["advance_votes"]) == (0, 1, 0)


def test_a_weighted_vote_weighs_advance_votes_in_their_college(people):
    alice, fe = people["alice"], people["fe"]
    assembly = convened(alice, weighted_by_college=True)
    u1, u2 = people["users"][:2]
    in_advance(assembly, fe, "no")  # founders (40 %): all against
    in_advance(assembly, u1, "yes")  # users (30 %): half for
    in_advance(assembly, u2, "no")
    in_session(assembly, people, alice, people["bob"])
    first = resolutions(assembly)[0]
    voted(assembly, people, first, alice="yes")  # contributors (30 %): all for
    # 40 × 0 + 30 × 1/2 + 30 × 1 = 45 of 100, and Bob (users) didn't vote.
    assert Fraction(first.result["weighted_share"]) == Fraction(45, 100)
    assert first.adopted is False


def test_bad_advance_votes_are_refused_with_nothing_written(assembly, people):
    u1, u2 = people["users"][:2]
    first = resolutions(assembly)[0]
    information = assembly.items.get(kind=AgendaItem.Kind.INFORMATION)
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    with pytest.raises(PermissionDenied, match="Répondez d'abord"):
        AdvanceVote.cast(u1.user, first, "yes")  # hasn't answered « advance »
    row(assembly, u2).answer(u2.user, "advance")
    with pytest.raises(ValidationError) as refused:
        AdvanceVote.cast(u2.user, first, "peut-être")
    assert "choice" in refused.value.message_dict
    with pytest.raises(ValidationError, match="Seule une résolution"):
        AdvanceVote.cast(u2.user, information, "yes")
    with pytest.raises(PermissionDenied, match="Répondez d.abord"):
        AdvanceVote.cast(zoe.user, first, "yes")  # admitted after the convocation
    assert not AdvanceVote.objects.exists()


def test_advance_votes_need_statutes_that_count_them(people):
    alice, u1 = people["alice"], people["users"][0]
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, advance_votes_count=False)
    assembly = draft(alice.user)
    assembly.convene(alice.user)
    with pytest.raises(ValidationError, match="ne prévoient pas de vote avant"):
        row(assembly, u1).answer(u1.user, "advance")
    with pytest.raises(PermissionDenied, match="Répondez d'abord"):
        AdvanceVote.cast(u1.user, resolutions(assembly)[0], "yes")
    assert not AdvanceVote.objects.exists()


def test_advance_votes_through_the_api(assembly, people):
    u1, u2 = people["users"][:2]
    row(assembly, u1).answer(u1.user, "advance")
    path = f"/assemblies/{assembly.pk}/resolutions/"
    voter = bearer(u1.user)
    sent = call(voter, "PUT", path + "3/advance-vote", {"choice": "no"})
    assert sent.status_code == 200 and sent.json() == {"position": 3, "choice": "no"}
    assert call(voter, "PUT", path + "1/advance-vote", {"choice": "yes"}).status_code == 200
    mine = call(voter, "GET", f"/assemblies/{assembly.pk}/advance-votes").json()
    assert mine == [{"position": 1, "choice": "yes"}, {"position": 3, "choice": "no"}]
    refused = call(voter, "PUT", path + "1/advance-vote", {"choice": "bof"})
    assert refused.status_code == 422 and "choice" in str(refused.json()["detail"])
    assert call(voter, "PUT", path + "2/advance-vote", {"choice": "yes"}).status_code == 404
    not_advance = call(bearer(u2.user), "PUT", path + "1/advance-vote", {"choice": "yes"})
    assert not_advance.status_code == 403 and "Répondez d'abord" in not_advance.text
    in_session(assembly, people)
    late = call(voter, "PUT", path + "1/advance-vote", {"choice": "no"})
    assert late.status_code == 403 and "voter avant la séance" in late.text
    assert AdvanceVote.of(assembly, u1) == {
        item.pk: choice for item, choice in zip(resolutions(assembly), ["yes", "no"], strict=True)
    }
    result = call(bearer(u2.user), "GET", path + "1/result").json()
    assert result["advance_votes"] == 0  # not open yet


def test_advance_votes_on_the_page(assembly, people):
    u1 = people["users"][0]
    page = f"/assemblees/{assembly.pk}/"
    voter = client_for(u1.user)
    assert "Vos votes avant la séance" not in voter.get(page).content.decode()
    row(assembly, u1).answer(u1.user, "advance")
    shown = voter.get(page).content.decode()
    assert "Vos votes avant la séance" in shown and "Pas encore voté." in shown
    url = page + "resolutions/3/vote-avant-la-seance/"
    assert voter.post(url, {"choice": "abstain"}).status_code == 302
    assert "Voté : <strong>Abstention</strong>" in voter.get(page).content.decode()
    assert voter.post(url, {"choice": "bof"}).status_code == 422
    assert (
        voter.post(page + "resolutions/2/vote-avant-la-seance/", {"choice": "yes"}).status_code
        == 404
    )
    in_session(assembly, people, people["alice"], people["bob"])
    assert voter.post(url, {"choice": "yes"}).status_code == 403
    assert list(AdvanceVote.objects.values_list("choice", flat=True)) == ["abstain"]
    second = resolutions(assembly)[1]
    voted(assembly, people, second, bob="yes")
    assert (
        "dont 1 vote avant la séance" in client_for(people["bob"].user).get(page).content.decode()
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    advance=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(Vote.Choice.values)), max_size=8),
    signed=st.sets(st.integers(0, 3)),
    in_the_room=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(Vote.Choice.values)), max_size=12
    ),
)
def test_no_voice_counts_twice_with_advance_votes(assembly, people, advance, signed, in_the_room):
    """U1–U4 vote in advance, any of them may then sign in; U1–U4, Alice and Bob vote in the
    room when they can. Each member counts once: in the room if they signed, else by their
    last advance vote."""
    alice, bob = people["alice"], people["bob"]
    voters = people["users"][:4]
    room = [*voters, alice, bob]
    with transaction.atomic():
        first = resolutions(assembly)[0]
        expected = {}
        for member in voters:
            row(assembly, member).answer(member.user, "advance")
        for who, choice in advance:
            AdvanceVote.cast(voters[who].user, first, choice)
            expected[voters[who].pk] = choice
        in_session(assembly, people, alice, bob, *(voters[i] for i in signed))
        for i in signed:
            expected.pop(voters[i].pk, None)  # their advance vote lapses
        assembly.open_resolution(alice.user, first)
        for who, choice in in_the_room:
            try:
                first.vote(room[who].user, choice)
            except ValidationError:
                assert who < 4 and who not in signed  # only those who didn't sign are refused
                continue
            expected[room[who].pk] = choice
        first.close_vote(alice.user)
        counted = first.result["yes"] + first.result["no"] + first.result["abstain"]
        assert counted == len(expected) <= len(room)
        assert first.result["yes"] == sum(c == "yes" for c in expected.values())
        assert first.result["no"] == sum(c == "no" for c in expected.values())
        transaction.set_rollback(True)
