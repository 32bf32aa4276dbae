"""Votes in session: the chair opens and closes each resolution, members vote for
themselves and for each principal whose proxy they carry, and the result is kept.

Ten members convened to an ordinary assembly (a fifth is 2 voices): Alice (an officer,
contributors' college) chairs, Bob is the secretary; Gus, Hé and the others are users,
Fé a founder.
"""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Vote
from commun.conftest import category, client_for, make_member
from commun.members.models import College
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(alice, bob):
    users = [
        make_member(f"u{i}@example.org", f"U{i}", "Test", category("Partenaires")) for i in range(6)
    ]
    fe = make_member("fe@example.org", "Fé", "Roux", category("Responsables"), shares=2)
    ced = make_member("ced@example.org", "Céd", "Gris", category("Contrib"))
    return {"alice": alice, "bob": bob, "fe": fe, "ced": ced, "gus": users[0], "users": users}


def convened_with_two_resolutions(alice, **statutes) -> Assembly:
    if statutes:
        AssemblyRules.of(Kind.ORDINARY).update(alice.user, **statutes)
    assembly = draft(alice.user)
    assembly.add_item(alice.user, AgendaItem.Kind.INFORMATION, "Rapport de gestion")
    assembly.add_item(alice.user, AgendaItem.Kind.RESOLUTION, "Affectation", "Le résultat…")
    assembly.convene(alice.user)
    return assembly


def row(assembly, member):
    return assembly.participants.get(member=member)


def in_session(assembly, people, *present) -> Assembly:
    alice, bob = people["alice"], people["bob"]
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in present:
        row(assembly, member).check_in(member.user)
    return assembly


def resolution(assembly, position=1) -> AgendaItem:
    return assembly.items.get(position=position)


@pytest.fixture
def assembly(people) -> Assembly:
    return convened_with_two_resolutions(people["alice"], max_proxies=2)


def test_the_chair_opens_one_resolution_at_a_time_once_the_quorum_is_reached(assembly, people):
    alice, bob = people["alice"], people["bob"]
    in_session(assembly, people, alice)
    first, information, second = assembly.items.all()
    with pytest.raises(ValidationError, match="quorum n'est pas atteint"):
        assembly.open_resolution(alice.user, first)
    row(assembly, bob).check_in(bob.user)
    with pytest.raises(PermissionDenied):
        assembly.open_resolution(bob.user, first)  # the secretary doesn't chair
    with pytest.raises(ValidationError, match="Seule une résolution"):
        assembly.open_resolution(alice.user, information)
    assembly.open_resolution(alice.user, first)
    with pytest.raises(ValidationError, match="Une autre résolution est au vote"):
        assembly.open_resolution(alice.user, second)
    first.close_vote(alice.user)
    with pytest.raises(ValidationError, match="déjà été ouvert"):
        assembly.open_resolution(alice.user, first)
    assembly.open_resolution(alice.user, second)
    assert list(assembly.items.values_list("status", flat=True)) == ["closed", "pending", "open"]


def test_a_member_votes_for_themselves_and_separately_for_each_principal(assembly, people):
    alice, bob, gus, fe, ced = (people[k] for k in ("alice", "bob", "gus", "fe", "ced"))
    u1, u2 = people["users"][1:3]
    row(assembly, u1).answer(u1.user, "proxy", gus)
    row(assembly, fe).answer(fe.user, "proxy", gus)
    in_session(assembly, people, alice, bob, gus, ced, u2)
    item = resolution(assembly)
    assembly.open_resolution(alice.user, item)
    item.vote(gus.user, "yes")
    item.vote(gus.user, "no", principal=u1)
    item.vote(gus.user, "yes", principal=fe)
    item.vote(gus.user, "abstain", principal=u1)  # changes his mind for U1
    item.vote(bob.user, "no")
    item.vote(ced.user, "no")
    item.vote(alice.user, "yes")
    item.vote(u2.user, "yes")
    item.close_vote(alice.user)
    # Yes: Gus, Fé (by Gus), Alice, U2; no: Bob, Céd; U1 abstains (by Gus): 4 of 6 cast.
    assert (item.result["yes"], item.result["no"], item.result["abstain"]) == (4, 2, 1)
    assert item.adopted is True
    assert Vote.objects.filter(item=item).count() == 7
    by_college = {c["name"]: (c["yes"], c["no"], c["abstain"]) for c in item.result["colleges"]}
    assert by_college == {
        "Fondateur·ices": (1, 0, 0),
        "Contributeur·ices": (1, 1, 0),
        "Usager·es": (2, 1, 1),
    }


def test_blank_proxies_vote_for_the_officers_resolutions(assembly, people):
    alice, bob = people["alice"], people["bob"]
    u1, u2, u3 = people["users"][1:4]
    for principal in (u1, u2):
        row(assembly, principal).answer(principal.user, "chair")
    in_session(assembly, people, alice, bob, u3)
    item = resolution(assembly)
    assembly.open_resolution(alice.user, item)
    item.vote(bob.user, "no")
    item.vote(u3.user, "no")
    item.close_vote(alice.user)
    # Two blank proxies for, Bob and U3 against: 2 of 4 is not more than half.
    assert (item.result["yes"], item.result["no"], item.result["blank_proxies"]) == (2, 2, 2)
    assert item.adopted is False


def test_a_principal_who_comes_votes_themselves_and_their_holders_vote_lapses(assembly, people):
    alice, bob, gus = people["alice"], people["bob"], people["gus"]
    u1 = people["users"][1]
    row(assembly, u1).answer(u1.user, "proxy", gus)
    in_session(assembly, people, alice, bob, gus)
    item = resolution(assembly)
    assembly.open_resolution(alice.user, item)
    item.vote(gus.user, "yes", principal=u1)
    row(assembly, u1).check_in(u1.user)
    with pytest.raises(ValidationError, match="ne portez pas le pouvoir"):
        item.vote(gus.user, "yes", principal=u1)
    item.vote(u1.user, "no")
    item.close_vote(alice.user)
    assert (item.result["yes"], item.result["no"]) == (0, 1)


def test_weighted_colleges_weigh_their_percentage(people):
    alice, bob, gus, fe, ced = (people[k] for k in ("alice", "bob", "gus", "fe", "ced"))
    assembly = convened_with_two_resolutions(alice, weighted_by_college=True)
    in_session(assembly, people, alice, bob, gus, fe, ced)
    item = resolution(assembly)
    assembly.open_resolution(alice.user, item)
    item.vote(fe.user, "no")  # founders (40 %): all against
    item.vote(alice.user, "yes")  # contributors (30 %): all for
    item.vote(ced.user, "yes")
    item.vote(bob.user, "yes")  # users (30 %): half for
    item.vote(gus.user, "no")
    item.close_vote(alice.user)
    # 40 × 0 + 30 × 1 + 30 × 1/2 = 45 of 100: rejected, though 3 heads of 5 said yes.
    assert Fraction(item.result["weighted_share"]) == Fraction(45, 100)
    assert (item.result["yes"], item.result["no"], item.adopted) == (3, 2, False)
    weights = {c["name"]: c["weight"] for c in item.result["colleges"]}
    assert weights == {"Fondateur·ices": 40, "Contributeur·ices": 30, "Usager·es": 30}


def test_the_result_is_kept_and_a_vote_after_the_close_is_refused(assembly, people):
    alice, bob, gus = people["alice"], people["bob"], people["gus"]
    in_session(assembly, people, alice, bob)
    item = resolution(assembly)
    assembly.open_resolution(alice.user, item)
    item.vote(bob.user, "yes")
    item.close_vote(alice.user)
    kept = (item.result, item.adopted)
    row(assembly, gus).check_in(gus.user)
    College.objects.update(weight_percent=None)
    with pytest.raises(ValidationError, match="n'est pas ouvert"):
        item.vote(gus.user, "no")
    with pytest.raises(ValidationError, match="n'est pas ouvert"):
        item.close_vote(alice.user)
    item.refresh_from_db()
    assert (item.result, item.adopted) == kept
    assert Vote.objects.filter(item=item).count() == 1


def test_bad_votes_are_refused_with_nothing_written(assembly, people):
    alice, bob, gus = people["alice"], people["bob"], people["gus"]
    u1, u2 = people["users"][1:3]
    row(assembly, u1).answer(u1.user, "proxy", gus)
    in_session(assembly, people, alice, bob)
    item = resolution(assembly)
    with pytest.raises(ValidationError, match="n'est pas ouvert"):
        item.vote(bob.user, "yes")  # not opened yet
    assembly.open_resolution(alice.user, item)
    with pytest.raises(ValidationError) as refused:
        item.vote(bob.user, "maybe")
    assert "choice" in refused.value.message_dict
    with pytest.raises(ValidationError, match="ne portez pas le pouvoir"):
        item.vote(bob.user, "yes", principal=u1)  # Gus holds it
    with pytest.raises(ValidationError, match="ne portez pas le pouvoir"):
        item.vote(bob.user, "yes", principal=u2)  # no proxy at all
    with pytest.raises(ValidationError, match="Émargez d'abord"):
        item.vote(gus.user, "yes", principal=u1)  # Gus hasn't signed: U1 isn't represented
    assert not Vote.objects.exists()


def test_voting_and_counting_take_the_same_queries_whatever_the_turnout(
    assembly, people, django_assert_max_num_queries
):
    alice, bob = people["alice"], people["bob"]
    users = people["users"]
    in_session(assembly, people, alice, bob, *users)
    item = resolution(assembly)
    assembly.open_resolution(alice.user, item)
    for member in users[1:]:
        item.vote(member.user, "yes")
    with django_assert_max_num_queries(13):
        item.vote(users[0].user, "no")
    # 10 to count (aggregates by college: no participant read one by one) and keep the
    # result, 3 to chain it in the journal (lock, entry, head).
    with django_assert_max_num_queries(13):
        item.close_vote(alice.user)
    assert (item.result["yes"], item.result["no"]) == (5, 1)


def test_votes_through_the_api_for_oneself_and_a_principal(assembly, people):
    alice, bob, gus = people["alice"], people["bob"], people["gus"]
    u1, u2 = people["users"][1:3]
    row(assembly, u1).answer(u1.user, "proxy", gus)
    in_session(assembly, people, alice, bob, gus)
    path = f"/assemblies/{assembly.pk}/resolutions/1"
    assert call(bearer(alice.user), "POST", path + "/open").json()["status"] == "open"
    holder = bearer(gus.user)
    assert call(holder, "PUT", path + "/vote", {"choice": "yes"}).status_code == 200
    cast = call(holder, "PUT", path + "/vote", {"choice": "no", "principal_number": u1.number})
    assert cast.json() == {"position": 1, "choice": "no", "principal_number": u1.number}
    for body, field in (
        ({"choice": "yes", "principal_number": u2.number}, "principal_number"),
        ({"choice": "yes", "principal_number": 99999}, "principal_number"),
        ({"choice": "peut-être"}, "choice"),
    ):
        refused = call(holder, "PUT", path + "/vote", body)
        assert refused.status_code == 422, body
        assert field in str(refused.json()["detail"]), body
    live = call(bearer(bob.user), "GET", path + "/result").json()
    assert (live["status"], live["yes"], live["no"], live["adopted"]) == ("open", 1, 1, None)
    closed = call(bearer(alice.user), "POST", path + "/close").json()
    assert (closed["status"], closed["adopted"]) == ("closed", False)  # 1 of 2 is no majority
    late = call(bearer(bob.user), "PUT", path + "/vote", {"choice": "yes"})
    assert late.status_code == 422 and "n'est pas ouvert" in str(late.json()["detail"])
    assert Vote.objects.count() == 2
    assert (
        call(bearer(bob.user), "GET", f"/assemblies/{assembly.pk}/resolutions/2/result").status_code
        == 404
    )


def test_votes_on_the_pages_and_the_projection(assembly, people):
    alice, bob, gus = people["alice"], people["bob"], people["gus"]
    u1 = people["users"][1]
    row(assembly, u1).answer(u1.user, "proxy", gus)
    in_session(assembly, people, alice, bob, gus)
    page = f"/assemblees/{assembly.pk}/"
    chair, holder = client_for(alice.user), client_for(gus.user)
    assert chair.post(page + "resolutions/1/ouvrir/").status_code == 302
    ballot = holder.get(page).content.decode()
    assert "Au vote : Approbation des comptes" in ballot and "dont vous portez le pouvoir" in ballot
    assert holder.post(page + "resolutions/1/vote/", {"choice": "yes"}).status_code == 302
    voted = holder.post(page + "resolutions/1/vote/", {"choice": "no", "principal": u1.number})
    assert voted.status_code == 302
    for bad in (
        {"choice": "bof"},
        {"choice": "yes", "principal": "douze"},
        {"choice": "yes", "principal": bob.number},
    ):
        assert holder.post(page + "resolutions/1/vote/", bad).status_code == 422, bad
    assert client_for(bob.user).post(page + "resolutions/1/clore/").status_code == 403
    projection = client_for(bob.user).get(page + "projection/").content.decode()
    assert "Pour : 1 · contre : 1 · abstentions : 0" in projection
    assert 'hx-trigger="every 3s"' in projection and "/static/vendor/htmx" in projection
    assert chair.post(page + "resolutions/1/clore/").status_code == 302
    board = client_for(bob.user).get(page + "projection/", headers={"HX-Request": "true"})
    assert "Rejetée" in board.content.decode() and "<html" not in board.content.decode()
    assert "Rejetée" in client_for(bob.user).get(page).content.decode()
    assert Vote.objects.count() == 2


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["gus", "bob", "u1", "u2"]),
            st.integers(0, 3),
            st.sampled_from(Vote.Choice.values),
        ),
        max_size=25,
    )
)
def test_no_voice_is_counted_twice(assembly, people, ballots):
    """Whatever is cast — for oneself, for principals, again and again — each principal
    counts once, with the last choice cast for them."""
    alice, bob, gus = people["alice"], people["bob"], people["gus"]
    u1, u2, u3, u4 = people["users"][1:5]
    members = {"gus": gus, "bob": bob, "u1": u1, "u2": u2}
    with transaction.atomic():
        row(assembly, u3).answer(u3.user, "proxy", gus)
        row(assembly, u4).answer(u4.user, "proxy", gus)
        in_session(assembly, people, alice, bob, gus, u1, u2)
        item = resolution(assembly)
        assembly.open_resolution(alice.user, item)
        last = {}
        for who, target, choice in ballots:
            principal = [None, u3, u4, bob][target]
            try:
                item.vote(members[who].user, choice, principal=principal)
            except ValidationError:
                continue
            last[(principal or members[who]).pk] = choice
        item.close_vote(alice.user)
        counted = item.result["yes"] + item.result["no"] + item.result["abstain"]
        assert counted == len(last) <= 6
        assert item.result["yes"] == sum(c == "yes" for c in last.values())
        transaction.set_rollback(True)
