"""Advance votes on elections: a member who answered « vote par correspondance ou en
ligne » chooses candidates before the opening; the choice counts at the close like a
present member's ballot — unless they sign in and vote in the room. A secret election's
advance votes go into its box when its vote opens, and nothing then says who chose what.

Eight members convened to an ordinary assembly whose statutes count advance votes: Alice
(an officer) chairs, Bob is the secretary, U1 to U6 are users; U5 and U6 stand for the
council (two seats, by approval).
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commun.assemblies import elections
from commun.assemblies.ballots import AdvanceVote
from commun.assemblies.elections import AdvanceElectionVote, ElectionBallot
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind
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
    return {"alice": alice, "bob": bob, "users": users}


def convened(people, secret=True, **statutes) -> tuple[Assembly, AgendaItem]:
    """An assembly with its resolution and an election of two by approval (position 2)."""
    alice = people["alice"]
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, advance_votes_count=True, **statutes)
    assembly = draft(alice.user)
    item = elections.add_election(alice.user, assembly, "Conseil", 2, "approval", secret)
    for member in people["users"][4:]:
        elections.add_candidate(alice.user, item, member)
    assembly.convene(alice.user)
    return assembly, item


def row(assembly, member):
    return assembly.participants.get(member=member)


def in_advance(assembly, item, member, *numbers):
    row(assembly, member).answer(member.user, "advance")
    return AdvanceElectionVote.cast(member.user, item, list(numbers))


def opened(assembly, people, *present) -> Assembly:
    alice, bob = people["alice"], people["bob"]
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob, *present):
        row(assembly, member).check_in(member.user)
    return assembly


def votes_of(item) -> dict[int, int]:
    closed = AgendaItem.objects.get(pk=item.pk).result["election"]
    return {c["number"]: c["votes"] for c in closed["candidates"]}


def test_a_secret_election_s_advance_votes_go_into_its_box_at_the_opening(people):
    u1, u2, u3, u4, u5, u6 = people["users"]
    assembly, item = convened(people)
    in_advance(assembly, item, u1, u5.number)
    in_advance(assembly, item, u2, u5.number, u6.number)
    in_advance(assembly, item, u2, u6.number)  # changes their mind: the last choice counts
    in_advance(assembly, item, u3, u5.number)  # then signs in: votes in the room instead
    assert AdvanceElectionVote.of(assembly, u2) == {item.pk: [u6.pk]}
    opened(assembly, people, u3)
    assembly.open_resolution(people["alice"].user, item)
    assert ElectionBallot.objects.filter(item=item).count() == 2
    assert not AdvanceElectionVote.objects.exists()  # nothing says who chose what
    item.vote(u3.user, [u6.number])
    item.vote(people["alice"].user, [u5.number])
    closed = item.close_vote(people["alice"].user)
    assert closed.result["election"]["ballots_cast"] == 4
    assert votes_of(item) == {u5.number: 2, u6.number: 2}


def test_an_advance_voter_who_signs_in_after_the_opening_has_no_second_voice(people):
    u1, *_others, u5, _u6 = people["users"]
    assembly, item = convened(people)
    in_advance(assembly, item, u1, u5.number)
    opened(assembly, people)
    assembly.open_resolution(people["alice"].user, item)
    row(assembly, u1).check_in(u1.user)
    with pytest.raises(ValidationError, match="déjà été donnée"):
        item.vote(u1.user, [u5.number])
    item.close_vote(people["alice"].user)
    assert votes_of(item)[u5.number] == 1


def test_a_public_election_counts_advance_votes_at_the_close_with_their_names(people):
    u1, u2, u3, _u4, u5, u6 = people["users"]
    assembly, item = convened(people, secret=False)
    in_advance(assembly, item, u1, u5.number, u6.number)
    in_advance(assembly, item, u2)  # a blank ballot
    in_advance(assembly, item, u3, u6.number)
    opened(assembly, people, u3)
    assembly.open_resolution(people["alice"].user, item)
    item.vote(u3.user, [u5.number])
    closed = item.close_vote(people["alice"].user)
    figures = closed.result["election"]
    assert (figures["ballots_cast"], figures["blank_ballots"]) == (2, 1)
    assert closed.result["advance_votes"] == 2  # u3's own lapsed: u3 came and voted
    assert votes_of(item) == {u5.number: 2, u6.number: 1}
    roll = {line["number"]: line["candidates"] for line in figures["roll"]}
    assert roll == {u1.number: [u5.number, u6.number], u2.number: [], u3.number: [u5.number]}


def test_bad_advance_votes_are_refused_with_nothing_written(people):
    u1, u2, *_others = people["users"]
    assembly, item = convened(people)
    row(assembly, u1).answer(u1.user, "advance")
    with pytest.raises(PermissionDenied):
        AdvanceElectionVote.cast(u2.user, item, [])  # u2 answered nothing
    with pytest.raises(ValidationError, match="pas candidat"):
        AdvanceElectionVote.cast(u1.user, item, [u2.number])
    with pytest.raises(ValidationError, match="pas une élection"):
        AdvanceElectionVote.cast(u1.user, assembly.items.get(position=1), [])
    with pytest.raises(ValidationError):
        AdvanceElectionVote.cast(u1.user, item, ["5"])
    opened(assembly, people)
    with pytest.raises(PermissionDenied):
        AdvanceElectionVote.cast(u1.user, item, [])
    assert not AdvanceElectionVote.objects.exists()


def test_without_statutes_counting_them_no_advance_vote_counts(people):
    u1, *_others, u5, _u6 = people["users"]
    assembly, item = convened(people, secret=False)
    in_advance(assembly, item, u1, u5.number)
    Assembly.objects.filter(pk=assembly.pk).update(
        rules={**assembly.rules, "advance_votes_count": False}
    )
    assembly.refresh_from_db()
    opened(assembly, people)
    assembly.open_resolution(people["alice"].user, item)
    item.close_vote(people["alice"].user)
    assert votes_of(item) == {u5.number: 0, people["users"][5].number: 0}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    secret=st.booleans(),
    advance=st.lists(st.tuples(st.integers(0, 3), st.sets(st.integers(4, 5))), max_size=8),
    signed_before=st.sets(st.integers(0, 3)),
    signed_after=st.sets(st.integers(0, 3)),
    in_the_room=st.lists(st.tuples(st.integers(0, 5), st.sets(st.integers(4, 5))), max_size=10),
)
def test_no_voice_counts_twice_in_an_election(
    people, secret, advance, signed_before, signed_after, in_the_room
):
    """U1–U4 vote in advance, any may sign in before the vote opens or after; U1–U4, Alice
    and Bob vote in the room when they may. Each member counts once at most: a secret
    election boxes the advance votes of those not signed in at its opening, then takes one
    ballot per voice; a public one counts the last vote in the room of those signed in,
    the last advance vote of the others."""
    users = people["users"]
    voters, room = users[:4], [*users[:4], people["alice"], people["bob"]]
    numbers = {i: users[i].number for i in (4, 5)}
    signed = signed_before | signed_after
    with transaction.atomic():
        assembly, item = convened(people, secret=secret)
        advance_votes = {}
        for member in voters:
            row(assembly, member).answer(member.user, "advance")
        for who, chosen in advance:
            AdvanceElectionVote.cast(voters[who].user, item, [numbers[c] for c in sorted(chosen)])
            advance_votes[who] = sorted(chosen)
        opened(assembly, people, *(voters[i] for i in signed_before))
        assembly.open_resolution(people["alice"].user, item)
        for i in signed_after - signed_before:
            row(assembly, voters[i]).check_in(voters[i].user)
        if secret:
            expected = {w: c for w, c in advance_votes.items() if w not in signed_before}
        else:
            expected = {w: c for w, c in advance_votes.items() if w not in signed}
        for who, chosen in in_the_room:
            may = who >= 4 or who in signed
            if secret:
                may = may and who not in expected
            try:
                item.vote(room[who].user, [numbers[c] for c in sorted(chosen)])
            except ValidationError:
                assert not may
                continue
            assert may
            expected[who] = sorted(chosen)
        closed = item.close_vote(people["alice"].user)
        figures = closed.result["election"]
        assert figures["ballots_cast"] + figures["blank_ballots"] == len(expected) <= len(room)
        for c in (4, 5):
            chose = sum(c in chosen for chosen in expected.values())
            assert votes_of(item)[numbers[c]] == chose
        transaction.set_rollback(True)


def test_advance_votes_on_an_election_through_the_page_and_the_api(people):
    u1, u2, *_others, u5, u6 = people["users"]
    assembly, item = convened(people)
    row(assembly, u1).answer(u1.user, "advance")
    client = client_for(u1.user)
    page = client.get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Cochez les candidat·es que vous approuvez." in page and "Pas encore voté." in page
    url = f"/assemblees/{assembly.pk}/resolutions/{item.position}/election-avant-la-seance/"
    response = client.post(url, {"candidates": [str(u5.number), str(u6.number)]})
    assert response.status_code == 302
    assert AdvanceElectionVote.of(assembly, u1) == {item.pk: sorted([u5.pk, u6.pk])}
    page = client.get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Votre choix est enregistré." in page
    for unreadable in ("x", "²", "١٢"):  # "²".isdigit() and "١٢".isdigit() are true
        assert client.post(url, {"candidates": [unreadable]}).status_code == 422
    response = client.post(url, {"candidates": [str(u2.number)]})
    assert response.status_code == 422 and "pas candidat·e" in response.content.decode()
    assert AdvanceElectionVote.of(assembly, u1) == {item.pk: sorted([u5.pk, u6.pk])}

    path = f"/assemblies/{assembly.pk}/resolutions/{item.position}/advance-ballot"
    response = call(bearer(u1.user), "PUT", path, {"candidates": []})
    assert response.status_code == 200
    assert response.json() == {"position": item.position, "candidates": []}
    assert AdvanceElectionVote.of(assembly, u1) == {item.pk: []}
    response = call(bearer(u1.user), "PUT", path, {"candidates": [u2.number]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "candidates"
    response = call(bearer(u2.user), "PUT", path, {"candidates": [u5.number]})
    assert response.status_code == 403
    assert AdvanceElectionVote.objects.count() == 1


def test_a_member_reads_back_their_advance_election_votes_through_the_api(people):
    """`GET …/advance-votes` lists the caller's chosen candidates (member numbers) with
    their resolutions' advance votes, by position; another member's choice stays theirs."""
    assembly, item = convened(people)
    u1, u2, u5, u6 = (people["users"][i] for i in (0, 1, 4, 5))
    in_advance(assembly, item, u1, u6.number, u5.number)
    resolution = assembly.items.get(kind=AgendaItem.Kind.RESOLUTION)
    AdvanceVote.cast(u1.user, resolution, "no")
    in_advance(assembly, item, u2, u5.number)
    path = f"/assemblies/{assembly.pk}/advance-votes"

    mine = call(bearer(u1.user), "GET", path)
    assert mine.status_code == 200
    assert mine.json() == [
        {"position": resolution.position, "choice": "no"},
        {"position": item.position, "candidates": sorted([u5.number, u6.number])},
    ]
    theirs = call(bearer(u2.user), "GET", path).json()
    assert theirs == [{"position": item.position, "candidates": [u5.number]}]
    AdvanceElectionVote.cast(u2.user, item, [])
    assert call(bearer(u2.user), "GET", path).json() == [
        {"position": item.position, "candidates": []}
    ]
