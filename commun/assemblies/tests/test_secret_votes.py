"""Secret votes: a resolution the statutes (or the assembly) want voted by secret ballot.
The roll says whose voices were cast, the box holds anonymous ballots per college; nothing
stored links the two, a voice is cast once, and the figures are shown only once closed.

Ten members convened to an ordinary assembly (a fifth is 2 voices): Alice (an officer,
contributors) chairs, Bob (users) is the secretary; U1 to U6 are users, Fé a founder, Céd
a contributor.
"""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from commun.assemblies.ballots import AdvanceVote, SecretBallot, SecretRoll, verify_box
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
    """Resolution 1 public, resolution 2 secret (the statutes ask it)."""
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, **statutes)
    assembly = draft(alice.user)
    assembly.add_item(
        alice.user, AgendaItem.Kind.RESOLUTION, "Exclusion", "L'assemblée exclut…", secret=True
    )
    assembly.convene(alice.user)
    return assembly


@pytest.fixture
def assembly(people) -> Assembly:
    return convened(people["alice"], max_proxies=2, advance_votes_count=True)


def row(assembly, member):
    return assembly.participants.get(member=member)


def in_session(assembly, people, *present) -> Assembly:
    alice, bob = people["alice"], people["bob"]
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in present:
        row(assembly, member).check_in(member.user)
    return assembly


def item(assembly, position) -> AgendaItem:
    return assembly.items.get(position=position)


def test_a_secret_vote_counts_per_college_and_keeps_no_vote_row(assembly, people):
    alice, bob, fe, ced = (people[k] for k in ("alice", "bob", "fe", "ced"))
    u1, u2 = people["users"][:2]
    row(assembly, u1).answer(u1.user, "proxy", bob)
    in_session(assembly, people, alice, bob, fe, ced, u2)
    secret = item(assembly, 2)
    assembly.open_resolution(alice.user, secret)
    receipts = {
        secret.vote(alice.user, "yes").receipt,
        secret.vote(bob.user, "no").receipt,
        secret.vote(bob.user, "yes", principal=u1).receipt,
        secret.vote(fe.user, "no").receipt,
        secret.vote(ced.user, "abstain").receipt,
        secret.vote(u2.user, "yes").receipt,
    }
    assert len(receipts) == 6
    secret.refresh_from_db()
    live = secret.figures()
    assert (live["secret"], live["ballots_cast"], live["yes"], live["no"]) == (True, 6, 0, 0)
    secret.close_vote(alice.user)
    # Yes: Alice, U1 (by Bob), U2; no: Bob, Fé; Céd abstains: 3 of 5 cast.
    assert (secret.result["yes"], secret.result["no"], secret.result["abstain"]) == (3, 2, 1)
    assert secret.adopted is True and secret.result["secret"] is True
    by_college = {c["name"]: (c["yes"], c["no"], c["abstain"]) for c in secret.result["colleges"]}
    assert by_college == {
        "Fondateur·ices": (0, 1, 0),
        "Contributeur·ices": (1, 0, 1),
        "Usager·es": (2, 1, 0),
    }
    assert not Vote.objects.exists()
    assert SecretRoll.objects.filter(item=secret).count() == 6
    assert verify_box(secret) == (True, None)


def test_nothing_stored_links_a_voter_to_a_choice(assembly, people):
    alice, bob = people["alice"], people["bob"]
    u1, u2 = people["users"][:2]
    in_session(assembly, people, alice, bob, u1, u2)
    secret = item(assembly, 2)
    assembly.open_resolution(alice.user, secret)
    for member, choice in ((u2, "no"), (alice, "yes"), (u1, "no"), (bob, "yes")):
        secret.vote(member.user, choice)
    secret.close_vote(alice.user)
    roll_columns = {f.column for f in SecretRoll._meta.concrete_fields}
    box_columns = {f.column for f in SecretBallot._meta.concrete_fields}
    assert roll_columns & box_columns == {"id", "item_id"}  # the item, and unrelated ids
    assert not any("_at" in column for column in roll_columns | box_columns)
    # The roll, as stored after the close, follows the members' order, not the votes'.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT principal_id FROM {SecretRoll._meta.db_table} WHERE item_id = %s "
            f"ORDER BY {'rowid' if connection.vendor == 'sqlite' else 'ctid'}",
            [secret.pk],
        )
        stored = [principal for (principal,) in cursor.fetchall()]
    by_member = sorted(stored, key=lambda p: assembly.participants.get(pk=p).member_id)
    assert stored == by_member
    with pytest.raises(PermissionError):
        SecretBallot.objects.filter(item=secret).update(choice="yes")


def test_a_voice_is_cast_once_in_secret_even_by_its_holder_then_its_principal(assembly, people):
    alice, bob = people["alice"], people["bob"]
    u1 = people["users"][0]
    row(assembly, u1).answer(u1.user, "proxy", bob)
    in_session(assembly, people, alice, bob)
    secret = item(assembly, 2)
    assembly.open_resolution(alice.user, secret)
    secret.vote(bob.user, "yes")
    with pytest.raises(ValidationError, match="un vote ne se change pas"):
        secret.vote(bob.user, "no")
    secret.vote(bob.user, "yes", principal=u1)
    row(assembly, u1).check_in(u1.user)  # comes after all: the voice is already in the box
    with pytest.raises(ValidationError, match="un vote ne se change pas"):
        secret.vote(u1.user, "no")
    assert SecretBallot.objects.filter(item=secret).count() == 2
    secret.close_vote(alice.user)
    assert (secret.result["yes"], secret.result["no"]) == (2, 0)


def test_advance_votes_go_into_the_box_at_the_opening(assembly, people):
    alice, bob = people["alice"], people["bob"]
    u1, u2, u3 = people["users"][:3]
    secret = item(assembly, 2)
    for member, choice in ((u1, "no"), (u2, "no"), (u3, "yes")):
        row(assembly, member).answer(member.user, "advance")
        AdvanceVote.cast(member.user, secret, choice)
    in_session(assembly, people, alice, bob, u3)  # U3 comes: their advance vote lapses
    assembly.open_resolution(alice.user, secret)
    assert not AdvanceVote.objects.filter(item=secret).exists()  # nothing says who sent what
    secret.refresh_from_db()
    assert secret.figures()["ballots_cast"] == 2
    with pytest.raises(ValidationError, match="Émargez d'abord"):
        secret.vote(u1.user, "yes")
    secret.vote(u3.user, "no")
    secret.vote(alice.user, "yes")
    secret.close_vote(alice.user)
    assert (secret.result["yes"], secret.result["no"], secret.adopted) == (1, 3, False)


def test_a_weighted_secret_vote(people):
    alice, bob, fe, ced = (people[k] for k in ("alice", "bob", "fe", "ced"))
    assembly = convened(alice, weighted_by_college=True)
    gus = people["users"][0]
    in_session(assembly, people, alice, bob, fe, ced, gus)
    secret = item(assembly, 2)
    assembly.open_resolution(alice.user, secret)
    secret.vote(fe.user, "no")  # founders (40 %): all against
    secret.vote(alice.user, "yes")  # contributors (30 %): all for
    secret.vote(ced.user, "yes")
    secret.vote(bob.user, "yes")  # users (30 %): half for
    secret.vote(gus.user, "no")
    secret.close_vote(alice.user)
    assert Fraction(secret.result["weighted_share"]) == Fraction(45, 100)
    assert (secret.result["yes"], secret.result["no"], secret.adopted) == (3, 2, False)


def test_the_chair_marks_a_resolution_secret_before_its_vote_opens(assembly, people):
    alice, bob = people["alice"], people["bob"]
    public = item(assembly, 1)
    with pytest.raises(PermissionDenied):
        public.mark_secret(alice.user)  # not in session yet
    in_session(assembly, people, alice, bob)
    with pytest.raises(PermissionDenied, match="présidence"):
        public.mark_secret(bob.user)
    public.mark_secret(alice.user)
    assembly.open_resolution(alice.user, public)
    public.vote(bob.user, "yes")
    assert SecretBallot.objects.filter(item=public).count() == 1 and not Vote.objects.exists()
    public.close_vote(alice.user)
    with pytest.raises(ValidationError, match="déjà été ouvert"):
        public.mark_secret(alice.user)
    assert list(assembly.items.values_list("secret", flat=True)) == [True, True]


def test_secret_votes_through_the_api(people):
    alice, bob = people["alice"], people["bob"]
    u1 = people["users"][0]
    assembly = convened(alice)
    in_session(assembly, people, alice, bob, u1)
    path = f"/assemblies/{assembly.pk}/resolutions/"
    chair = bearer(alice.user)
    assert call(bearer(bob.user), "POST", path + "1/secret").status_code == 403
    marked = call(chair, "POST", path + "1/secret")
    assert marked.status_code == 200 and marked.json()["secret"] is True
    assert call(chair, "POST", path + "1/open").status_code == 200
    cast = call(bearer(u1.user), "PUT", path + "1/vote", {"choice": "no"}).json()
    assert cast["choice"] == "no" and len(cast["receipt"]) == 19
    again = call(bearer(u1.user), "PUT", path + "1/vote", {"choice": "yes"})
    assert again.status_code == 422 and "un vote ne se change pas" in again.text
    live = call(bearer(bob.user), "GET", path + "1/result").json()
    assert (live["ballots_cast"], live["yes"], live["no"]) == (1, 0, 0)
    assert call(chair, "POST", path + "1/close").json()["no"] == 1
    late = call(chair, "POST", path + "1/secret")
    assert late.status_code == 422 and "déjà été ouvert" in late.text
    items = call(chair, "GET", f"/assemblies/{assembly.pk}").json()["items"]
    assert [i["secret"] for i in items] == [True, True]


def test_secret_votes_on_the_pages_and_the_projection(assembly, people):
    alice, bob = people["alice"], people["bob"]
    u1 = people["users"][0]
    row(assembly, u1).answer(u1.user, "proxy", bob)
    in_session(assembly, people, alice, bob)
    page = f"/assemblees/{assembly.pk}/"
    chair, secretary = client_for(alice.user), client_for(bob.user)
    assert "Voter à bulletin secret" in chair.get(page).content.decode()
    assert secretary.post(page + "resolutions/1/secret/").status_code == 403
    assert chair.post(page + "resolutions/2/ouvrir/").status_code == 302
    ballot = secretary.get(page).content.decode()
    assert "Vote à bulletin secret" in ballot
    voted = secretary.post(page + "resolutions/2/vote/", {"choice": "no"}, follow=True)
    assert "Votre bulletin est dans l'urne" in voted.content.decode()
    shown = secretary.get(page).content.decode()
    assert (
        "Votre bulletin est dans l&#x27;urne." in shown
        or "Votre bulletin est dans l'urne." in shown
    )
    assert secretary.post(page + "resolutions/2/vote/", {"choice": "yes"}).status_code == 422
    secretary.post(page + "resolutions/2/vote/", {"choice": "yes", "principal": u1.number})
    projection = secretary.get(page + "projection/").content.decode()
    assert "2 bulletins dans l'urne" in projection.replace("&#x27;", "'")
    assert "Pour : 0" not in projection
    assert chair.post(page + "resolutions/2/clore/").status_code == 302
    board = secretary.get(page + "projection/").content.decode()
    assert "Pour : 1 · contre : 1 · abstentions : 0" in board and "Adoptée" not in board
    assert not Vote.objects.exists()


def test_who_may_mark_a_resolution_secret(assembly, people):
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    alice, bob = people["alice"], people["bob"]
    in_session(assembly, people, alice, bob)
    public = item(assembly, 1)
    for who in (bob, people["users"][0], zoe):
        with pytest.raises(PermissionDenied):
            public.mark_secret(who.user)
    information = assembly.items.create(position=9, kind="information", title="Info")
    with pytest.raises(ValidationError, match="Seule une résolution"):
        information.mark_secret(alice.user)
    assert list(assembly.items.values_list("secret", flat=True)) == [False, True, False]
