"""Amendments from the floor: a member present proposes a new text for a resolution not yet
voted, the chair admits it or not, an admitted amendment is voted first, and adopted it
becomes the text the resolution is voted on (the convened text is kept).

Ten members convened to an ordinary assembly (a fifth is 2 voices): Alice (an officer)
chairs, Bob is the secretary; U1 to U6 are users, Fé a founder, Céd a contributor.
"""

from html import escape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.assemblies import amendments, minutes
from commun.assemblies.ballots import AdvanceVote
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind
from commun.conftest import category, client_for, make_member
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db

NEW_TEXT = "L'assemblée affecte la moitié du résultat aux réserves."


@pytest.fixture
def people(alice, bob):
    users = [
        make_member(f"u{i}@example.org", f"U{i}", "Test", category("Partenaires"))
        for i in range(1, 7)
    ]
    return {"alice": alice, "bob": bob, "users": users}


@pytest.fixture
def assembly(people) -> Assembly:
    alice = people["alice"]
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, advance_votes_count=True)
    assembly = draft(alice.user)
    assembly.add_item(alice.user, AgendaItem.Kind.INFORMATION, "Rapport de gestion")
    assembly.convene(alice.user)
    return assembly


def row(assembly, member):
    return assembly.participants.get(member=member)


def in_session(assembly, people, *present) -> Assembly:
    alice, bob = people["alice"], people["bob"]
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob, *present):
        row(assembly, member).check_in(member.user)
    return assembly


def resolution(assembly) -> AgendaItem:
    return assembly.items.get(position=1)


def vote(assembly, people, item, **choices) -> AgendaItem:
    alice = people["alice"]
    assembly.open_resolution(alice.user, item)
    for who, choice in choices.items():
        member = people[who] if who in people else people["users"][int(who[1:]) - 1]
        item.vote(member.user, choice)
    return item.close_vote(alice.user)


def test_an_adopted_amendment_is_voted_first_and_changes_the_voted_text(assembly, people):
    alice = people["alice"]
    u1, u2 = people["users"][:2]
    in_session(assembly, people, u1, u2)
    original = resolution(assembly)
    amendment = amendments.propose(u1.user, original, NEW_TEXT)
    assert (amendment.position, amendment.amends, amendment.admission) == (3, original, "proposed")
    assert amendment.title == "Amendement n° 1 à « Approbation des comptes »"
    with pytest.raises(ValidationError, match="n'est pas admis"):
        assembly.open_resolution(alice.user, amendment)
    with pytest.raises(ValidationError, match="Votez d'abord les amendements"):
        assembly.open_resolution(alice.user, original)
    amendments.decide(alice.user, amendment, admitted=True)
    with pytest.raises(ValidationError, match="Votez d'abord les amendements"):
        assembly.open_resolution(alice.user, original)
    vote(assembly, people, amendment, alice="no", bob="yes", u1="yes", u2="yes")
    assert amendment.adopted is True  # 3 of 4, the same simple majority as its resolution
    original.refresh_from_db()
    assert original.amended_text == NEW_TEXT and original.text == "L'assemblée approuve…"
    vote(assembly, people, original, alice="yes", bob="yes")
    assert original.adopted is True


def test_a_rejected_or_refused_amendment_leaves_the_text_as_convened(assembly, people):
    alice = people["alice"]
    u1, u2 = people["users"][:2]
    in_session(assembly, people, u1, u2)
    original = resolution(assembly)
    refused = amendments.propose(u1.user, original, NEW_TEXT)
    amendments.decide(alice.user, refused, admitted=False)
    with pytest.raises(ValidationError, match="n'attend pas de décision"):
        amendments.decide(alice.user, refused, admitted=True)
    rejected = amendments.propose(u2.user, original, "Tout en réserves.")
    assert rejected.title.startswith("Amendement n° 2")
    amendments.decide(alice.user, rejected, admitted=True)
    vote(assembly, people, rejected, alice="no", bob="no", u2="yes")
    original.refresh_from_db()
    assert (rejected.adopted, original.amended_text) == (False, "")
    vote(assembly, people, original, alice="yes")
    assert original.adopted is True


def test_blank_proxies_vote_against_an_amendment_from_the_floor(assembly, people):
    alice = people["alice"]
    u1, u2, u3 = people["users"][:3]
    for principal in (u2, u3):
        row(assembly, principal).answer(principal.user, "chair")
    in_session(assembly, people, u1)
    amendment = amendments.propose(u1.user, resolution(assembly), NEW_TEXT)
    amendments.decide(alice.user, amendment, admitted=True)
    vote(assembly, people, amendment, alice="yes", bob="yes", u1="yes")
    # Yes: Alice, Bob, U1; no: the two blank proxies: 3 of 5.
    assert (amendment.result["yes"], amendment.result["no"]) == (3, 2)
    assert amendment.result["blank_proxies"] == 2 and amendment.adopted is True
    # The resolution now says what the floor wrote: the blank proxies vote against it too.
    voted = vote(assembly, people, resolution(assembly), alice="yes", bob="yes", u1="yes")
    assert (voted.result["yes"], voted.result["no"], voted.result["blank_proxies"]) == (3, 2, 2)


def test_advance_votes_count_on_neither_an_amendment_nor_the_amended_resolution(assembly, people):
    alice = people["alice"]
    u1, u2 = people["users"][:2]
    row(assembly, u2).answer(u2.user, "advance")
    AdvanceVote.cast(u2.user, resolution(assembly), "no")
    in_session(assembly, people, u1)
    original = resolution(assembly)
    amendment = amendments.propose(u1.user, original, NEW_TEXT)
    amendments.decide(alice.user, amendment, admitted=True)
    vote(assembly, people, amendment, alice="yes", bob="yes")
    assert (amendment.result["no"], amendment.result["advance_votes"]) == (0, 0)
    vote(assembly, people, original, alice="yes", bob="yes")
    # U2 voted no on the convened text: that vote doesn't answer the amended one.
    assert (original.result["yes"], original.result["no"]) == (2, 0)
    assert original.result["advance_votes"] == 0


def test_bad_amendments_are_refused_with_nothing_written(assembly, people):
    u1, u2 = people["users"][:2]
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    original = resolution(assembly)
    information = assembly.items.get(position=2)
    with pytest.raises(PermissionDenied):
        amendments.propose(u1.user, original, NEW_TEXT)  # before the session
    in_session(assembly, people, u1)
    with pytest.raises(ValidationError, match="Émargez d'abord"):
        amendments.propose(u2.user, original, NEW_TEXT)  # hasn't signed the sheet
    with pytest.raises(PermissionDenied):
        amendments.propose(zoe.user, original, NEW_TEXT)  # not convened
    with pytest.raises(ValidationError) as same:
        amendments.propose(u1.user, original, "  L'assemblée approuve…  ")
    assert "text" in same.value.message_dict
    with pytest.raises(ValidationError, match="qu'une résolution"):
        amendments.propose(u1.user, information, NEW_TEXT)
    with pytest.raises(PermissionDenied, match="présidence"):
        amendments.decide(u1.user, original, admitted=True)
    vote(assembly, people, original, alice="yes")
    with pytest.raises(ValidationError, match="ne s'amende plus"):
        amendments.propose(u1.user, original, NEW_TEXT)  # its vote is closed
    assert assembly.items.count() == 2


def test_amendments_through_the_api(assembly, people):
    alice, bob = people["alice"], people["bob"]
    u1 = people["users"][0]
    in_session(assembly, people, u1)
    path = f"/assemblies/{assembly.pk}/resolutions/"
    proposed = call(bearer(u1.user), "POST", path + "1/amendments", {"text": NEW_TEXT})
    assert proposed.status_code == 201, proposed.content
    assert (proposed.json()["amends_position"], proposed.json()["admission"]) == (1, "proposed")
    empty = call(bearer(u1.user), "POST", path + "1/amendments", {"text": ""})
    assert empty.status_code == 422
    on_information = call(bearer(u1.user), "POST", path + "2/amendments", {"text": NEW_TEXT})
    assert on_information.status_code == 404
    assert (
        call(bearer(bob.user), "POST", path + "3/admission", {"admitted": True}).status_code == 403
    )
    admitted = call(bearer(alice.user), "POST", path + "3/admission", {"admitted": True})
    assert admitted.json()["admission"] == "admitted"
    chair = bearer(alice.user)
    first = call(chair, "POST", path + "1/open")
    assert first.status_code == 422 and "Votez d'abord" in first.text
    assert call(chair, "POST", path + "3/open").status_code == 200
    for who in (alice, bob, u1):
        call(bearer(who.user), "PUT", path + "3/vote", {"choice": "yes"})
    assert call(chair, "POST", path + "3/close").json()["adopted"] is True
    items = call(chair, "GET", f"/assemblies/{assembly.pk}").json()["items"]
    assert items[0]["amended_text"] == NEW_TEXT and items[2]["amends_position"] == 1
    late = call(bearer(u1.user), "POST", path + "3/amendments", {"text": "Encore"})
    assert late.status_code == 422  # an amendment is not amended
    assert assembly.items.count() == 3


def test_amendments_on_the_pages(assembly, people):
    alice = people["alice"]
    u1 = people["users"][0]
    in_session(assembly, people, u1)
    page = f"/assemblees/{assembly.pk}/"
    member, chair = client_for(u1.user), client_for(alice.user)
    assert "Proposer un amendement" in member.get(page).content.decode()
    assert member.post(page + "resolutions/1/amendements/", {"text": ""}).status_code == 422
    assert member.post(page + "resolutions/1/amendements/", {"text": NEW_TEXT}).status_code == 302
    shown = chair.get(page).content.decode()
    assert "Amendement proposé" in shown and "proposé par U1 Test" in shown
    assert member.post(page + "resolutions/3/admission/", {"admit": "1"}).status_code == 403
    # A refusal is final: only « 0 » refuses, a form without the button's value changes nothing.
    for forged in ({}, {"admit": "yes"}):
        assert chair.post(page + "resolutions/3/admission/", forged).status_code == 422
    assert AgendaItem.objects.get(assembly=assembly, position=3).admission == "proposed"
    assert chair.post(page + "resolutions/3/admission/", {"admit": "1"}).status_code == 302
    assert "Amendement admis au vote" in chair.get(page).content.decode()
    assert chair.post(page + "resolutions/3/admission/", {"admit": "0"}).status_code == 422


@pytest.mark.parametrize("control", ["\x00", "\x1b"])
def test_an_amendment_with_a_control_character_is_a_field_error_with_nothing_written(
    assembly, people, control
):
    """A NUL (PostgreSQL cannot store it) or an escape (it garbles a terminal, hides text):
    refused on the field, on the page as in the API, like every other form."""
    u1 = people["users"][0]
    in_session(assembly, people, u1)
    page = client_for(u1.user).post(
        f"/assemblees/{assembly.pk}/resolutions/1/amendements/",
        {"text": f"Le texte{control} proposé"},
    )
    assert page.status_code == 422
    assert "caractère de contrôle interdit" in page.context["forms"]["amendment"].errors["text"][0]
    assert "caractère de contrôle interdit" in page.text
    api = call(
        bearer(u1.user),
        "POST",
        f"/assemblies/{assembly.pk}/resolutions/1/amendments",
        {"text": f"Le texte{control} proposé"},
    )
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"][-1] == "text"
    assert not AgendaItem.objects.filter(assembly=assembly, amends__isnull=False).exists()


def test_a_refused_amendment_keeps_the_text_typed_under_its_resolution(assembly, people):
    """The model's refusal (the same text as the resolution's) lands on the form's field,
    shown again under the resolution with what the member typed."""
    u1 = people["users"][0]
    in_session(assembly, people, u1)
    same = resolution(assembly).text
    page = client_for(u1.user).post(
        f"/assemblees/{assembly.pk}/resolutions/1/amendements/", {"text": same}
    )
    assert page.status_code == 422
    assert page.context["forms"]["amendment"].errors["text"] == [
        "Proposez un texte différent de la résolution."
    ]
    assert not AgendaItem.objects.filter(assembly=assembly, amends__isnull=False).exists()


def test_amendments_are_listed_under_their_resolution_in_the_agenda_and_the_minutes(
    assembly, people
):
    """Numbered at the end of the agenda when proposed, an amendment is read under the
    resolution it amends — on the assembly's page and in the minutes — not after the
    information items that follow it."""
    alice = people["alice"]
    u1, u2 = people["users"][:2]
    in_session(assembly, people, u1, u2)
    first = amendments.propose(u1.user, resolution(assembly), NEW_TEXT)
    second = amendments.propose(u2.user, resolution(assembly), "Tout aux réserves.")
    amendments.decide(alice.user, first, admitted=True)
    amendments.decide(alice.user, second, admitted=False)
    vote(assembly, people, first, alice="yes", bob="yes", u1="yes")
    vote(assembly, people, resolution(assembly), alice="yes", bob="yes")

    page = client_for(alice.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    agenda = page[page.index('<ol class="agenda">') :]
    shown = [
        agenda.index(f"{text}</strong>")
        for text in (resolution(assembly).title, first.title, second.title, "Rapport de gestion")
    ]
    assert shown == sorted(shown)

    assembly.close_session(alice.user)
    said = minutes.text(assembly)
    headings = [line for line in said.splitlines() if line.startswith("### ")]
    assert headings == [
        "### Résolution n°1 : Approbation des comptes",
        f"### Amendement n°3 à la résolution n°1 : {first.title}",
        f"### Amendement n°4 à la résolution n°1 : {second.title}",
        "### Point d'information n°2 : Rapport de gestion",
    ]


def test_a_refusal_that_is_not_the_text_s_fault_is_said_on_the_page(assembly, people):
    """A member who has not signed in, or a resolution whose vote opened while they typed:
    the 422 page says why, not only that nothing was written."""
    alice, u1, u2 = people["alice"], people["users"][0], people["users"][1]
    in_session(assembly, people, u1)
    url = f"/assemblees/{assembly.pk}/resolutions/1/amendements/"
    page = client_for(u2.user).post(url, {"text": NEW_TEXT})
    assert page.status_code == 422
    assert escape("Émargez d'abord") in page.text
    assembly.open_resolution(alice.user, resolution(assembly))
    page = client_for(u1.user).post(url, {"text": NEW_TEXT})
    assert page.status_code == 422
    refusal = page.context["forms"]["amendment"].non_field_errors()[0]
    assert escape(refusal) in page.text
    assert not AgendaItem.objects.filter(assembly=assembly, amends__isnull=False).exists()
