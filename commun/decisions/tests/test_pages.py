"""The decision pages: proposing from a thread, walking the consent process, votes, advice.

Bob proposes; Gus is in Bob's college (users); Eve and Alice (the officer) are in the
contributors' college; Dan has an account and no membership.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from commun.conftest import client_for
from commun.decisions.models import Decision, Objection, Stance
from commun.deliberation.models import Space
from commun.members.models import College
from commun.testing.appendonly import tamper
from commun.testing.decisions import DAY, in_objection_round, opened, propose, thread_for

Phase, Outcome = Decision.Phase, Decision.Outcome


@pytest.fixture
def clients(alice, bob, eve, gus, dan):
    return {
        "visitor": Client(),
        "account": client_for(dan),
        "member": client_for(gus.user),
        "other_college": client_for(eve.user),
        "author": client_for(bob.user),
        "officer": client_for(alice.user),
    }


def users_college():
    return College.objects.get(name="Usager·es")


def url(decision, action=""):
    return f"/decisions/{decision.pk}/{action}"


# Proposing -------------------------------------------------------------------------------


def test_a_member_proposes_a_decision_from_a_thread_and_opens_it(clients, bob, gus):
    thread = thread_for(bob)
    page = clients["author"].get(thread.get_absolute_url())
    assert f"/fils/{thread.pk}/proposer-une-decision/" in page.content.decode()

    response = clients["author"].post(
        f"/fils/{thread.pk}/proposer-une-decision/",
        {
            "kind": "consent",
            "title": "Changer d'hébergeur",
            "body": "Nous quittons **l'ancien** hébergeur.",
            "scope": "cooperative",
            "visibility": "public",
            "min_deliberation": "3",
            "closes_at": (timezone.localtime() + 20 * DAY).strftime("%Y-%m-%dT%H:%M"),
            "quorum_percent": "0",
            "threshold": "majority",
            "points_per_voter": "100",
        },
    )

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/decisions/{decision.pk}/"
    assert (decision.phase, decision.author, decision.thread) == (Phase.DRAFT, bob, thread)
    assert decision.min_deliberation == datetime.timedelta(days=3)
    page = clients["author"].get(url(decision)).content.decode()
    assert "<strong>l&#x27;ancien</strong>" in page or "<strong>l'ancien</strong>" in page
    assert "Ouvrir la décision" in page
    assert clients["member"].get(url(decision)).status_code == 404  # a draft is its author's

    response = clients["author"].post(url(decision, "ouvrir/"))

    decision.refresh_from_db()
    assert response.status_code == 302
    assert decision.phase == Phase.CLARIFICATION
    assert decision.eligible.filter(member=gus).exists()
    assert "Décisions" in clients["member"].get(thread.get_absolute_url()).content.decode()


def test_the_proposal_form_shows_the_models_errors_in_french(clients, bob):
    thread = thread_for(bob)
    response = clients["author"].post(
        f"/fils/{thread.pk}/proposer-une-decision/",
        {
            "kind": "approval",
            "title": "Choisir un nom",
            "body": "Lequel ?",
            "scope": "cooperative",
            "visibility": "public",
            "min_deliberation": "1",
            "options": "Un seul",
            "quorum_percent": "0",
            "threshold": "majority",
            "points_per_voter": "100",
        },
    )
    assert response.status_code == 400
    assert "Proposez au moins deux options." in response.content.decode()
    assert not Decision.objects.exists()


def test_advisors_are_named_by_their_member_number(clients, bob, gus):
    thread = thread_for(bob)
    data = {
        "kind": "advice",
        "title": "Choisir une banque",
        "body": "J'ai l'intention de choisir la Nef.",
        "scope": "cooperative",
        "visibility": "members",
        "min_deliberation": "0",
        "quorum_percent": "0",
        "threshold": "majority",
        "points_per_voter": "100",
        "advisors": "99999",
    }
    response = clients["author"].post(f"/fils/{thread.pk}/proposer-une-decision/", data)
    assert response.status_code == 400
    assert "Aucun·e associé·e actif·ve ne porte ce numéro : 99999." in response.content.decode()

    data["advisors"] = f"n°{gus.number}"
    response = clients["author"].post(f"/fils/{thread.pk}/proposer-une-decision/", data)
    assert response.status_code == 302
    assert list(Decision.objects.get().advice.values_list("advisor", flat=True)) == [gus.pk]


@pytest.mark.parametrize("role", ["visitor", "account", "other_college"])
def test_only_who_writes_in_the_space_may_propose(clients, bob, role):
    thread = thread_for(bob, Space.objects.for_college(users_college()))
    response = clients[role].get(f"/fils/{thread.pk}/proposer-une-decision/")
    assert response.status_code in (302, 403, 404)
    if role == "visitor":
        assert "/compte/login/" in response["Location"]
    response = clients[role].post(
        f"/fils/{thread.pk}/proposer-une-decision/",
        {"kind": "consent", "title": "T", "body": "B", "scope": "colleges"},
    )
    assert response.status_code in (302, 403, 404)
    assert not Decision.objects.exists()


# The consent process through the pages ---------------------------------------------------


def test_the_consent_process_walks_through_the_pages(clients, bob, gus, alice, eve):
    decision = opened(bob, min_deliberation=datetime.timedelta(0))
    author, member = clients["author"], clients["member"]

    assert author.post(url(decision, "etape-suivante/")).status_code == 302
    assert author.post(url(decision, "etape-suivante/")).status_code == 302
    decision.refresh_from_db()
    assert decision.phase == Phase.OBJECTIONS

    response = member.post(
        url(decision, "position/"),
        {"stance-choice": "objection", "stance-reason": "Trop cher pour cette année."},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    page = author.get(url(decision)).content.decode()
    assert "Trop cher pour cette année." in page
    assert "Intégrer cette objection" in page

    assert author.post(f"/objections/{objection.pk}/integrer/").status_code == 302
    decision.refresh_from_db()
    assert decision.phase == Phase.INTEGRATION
    response = author.post(
        url(decision, "amender/"),
        {
            "amend-title": decision.title,
            "amend-body": "Nous achetons un serveur d'occasion.",
            "amend-note": "Moins cher",
            "amend-integrates": [str(objection.pk)],
        },
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.integrated_in.number == 2
    page = author.get(url(decision)).content.decode()
    assert "<del>" in page and "<ins>" in page

    assert author.post(url(decision, "nouveau-tour/")).status_code == 302
    assert member.post(f"/objections/{objection.pk}/lever/").status_code == 302
    for client in (member, author, clients["officer"], clients["other_college"]):
        response = client.post(url(decision, "position/"), {"stance-choice": "consent"})
        assert response.status_code == 302

    response = author.post(
        url(decision, "clore/"),
        {"close-statement": "Adopté.", "close-review_on": str(timezone.localdate() + 90 * DAY)},
    )

    decision.refresh_from_db()
    objection.refresh_from_db()
    assert response.status_code == 302
    assert (decision.phase, decision.outcome) == (Phase.CLOSED, Outcome.ADOPTED)
    assert objection.status == Objection.Status.RESOLVED
    page = clients["visitor"].get(url(decision))
    assert page.status_code in (200, 302)


def test_the_current_stance_is_preselected_and_its_history_shown(clients, bob, gus):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(gus, "concern", "Le prix")
    decision.current_round.take_stance(gus, "consent")

    page = clients["member"].get(url(decision)).content.decode()

    assert 'value="consent" id="id_stance-choice_0" checked' in page or (
        'value="consent"' in page and "checked" in page
    )
    assert "Votre position actuelle" in page
    assert "Le prix" in page  # the history keeps the earlier concern


def test_htmx_gets_the_decision_block_back(clients, bob, gus):
    decision = in_objection_round(bob)
    response = clients["member"].post(
        url(decision, "position/"), {"stance-choice": "consent"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="decision"')
    assert "Votre position est enregistrée." in body
    assert "<html" not in body


def test_the_tally_is_polled_while_a_vote_is_open(clients, bob, gus):
    decision = opened(bob, "yes_no")
    decision.current_round.take_stance(gus, "yes")
    page = clients["member"].get(url(decision)).content.decode()
    assert f'hx-get="/decisions/{decision.pk}/decompte/"' in page

    response = clients["member"].get(url(decision, "decompte/"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section aria-labelledby="tally-title"')


def test_ranked_and_score_ballots_work_without_javascript(clients, bob, gus):
    ranked = opened(bob, "ranked", options=["Alpha", "Bêta", "Gamma"])
    a, b, c = ranked.options.all()
    response = clients["member"].post(
        url(ranked, "position/"),
        {f"stance-rank-{a.pk}": "2", f"stance-rank-{b.pk}": "1", f"stance-rank-{c.pk}": ""},
    )
    assert response.status_code == 302
    assert Stance.objects.get(round__decision=ranked).ballot == [[b.pk], [a.pk]]

    score = opened(bob, "score", options=["Alpha", "Bêta"], points_per_voter=10)
    x, y = score.options.all()
    response = clients["member"].post(
        url(score, "position/"), {f"stance-points-{x.pk}": "7", f"stance-points-{y.pk}": "3"}
    )
    assert response.status_code == 302
    assert Stance.objects.get(round__decision=score).ballot == {str(x.pk): 7, str(y.pk): 3}

    response = clients["member"].post(
        url(score, "position/"), {f"stance-points-{x.pk}": "8", f"stance-points-{y.pk}": "8"}
    )
    assert response.status_code == 400
    assert "vous en avez 10 au plus" in response.content.decode()
    assert Stance.objects.get(round__decision=score).ballot == {str(x.pk): 7, str(y.pk): 3}


def test_a_secret_ballot_shows_its_receipt_once_and_the_published_box(clients, bob, gus):
    decision = opened(bob, "yes_no", is_secret=True)

    response = clients["member"].post(url(decision, "bulletin-secret/"), {"stance-choice": "yes"})

    assert response.status_code == 200
    receipt = decision.current_round.ballots.get().receipt
    assert receipt in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    page = clients["member"].get(url(decision)).content.decode()
    assert receipt not in page
    assert "Vous avez voté" in page
    assert "reste caché jusqu'à la clôture" in page

    again = clients["member"].post(url(decision, "bulletin-secret/"), {"stance-choice": "no"})
    assert again.status_code == 400
    assert "un vote ne se change pas" in again.content.decode()
    assert decision.current_round.ballots.count() == 1

    box = clients["member"].get(url(decision, "urne/"), {"recu": receipt, "verifier": "1"})
    text = box.content.decode()
    assert "Votre bulletin est dans l&#x27;urne" in text or "Votre bulletin est dans l'urne" in text
    assert "La chaîne est intacte" in text
    assert decision.current_round.head_hash in text


def test_the_box_page_names_the_first_altered_ballot(clients, bob, gus, eve):
    decision = opened(bob, "yes_no", is_secret=True)
    decision.current_round.cast_secret_ballot(gus, "yes")
    decision.current_round.cast_secret_ballot(eve, "no")
    tamper(
        ("UPDATE decisions_ballot SET content = %s WHERE sequence = 2", ['{"choice": "yes"}']),
        tables=["decisions_ballot"],
    )

    box = clients["member"].get(url(decision, "urne/"), {"verifier": "1"}).content.decode()

    assert "le bulletin n°2 ne correspond pas" in box


def test_the_advice_process_through_the_pages(clients, bob, gus):
    decision = opened(
        bob, "advice", advisors=[gus], min_deliberation=datetime.timedelta(0), closes_at=None
    )
    page = clients["member"].get(url(decision)).content.decode()
    assert "Donner votre avis" in page

    response = clients["member"].post(url(decision, "avis/"), {"advice-advice": "Bonne idée."})
    assert response.status_code == 302
    response = clients["author"].post(
        url(decision, "decider/"), {"record-statement": "Nous choisissons la Nef."}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.outcome, decision.outcome_statement) == (
        Outcome.DECIDED,
        "Nous choisissons la Nef.",
    )
    assert "Bonne idée." in clients["member"].get(url(decision)).content.decode()


# The register ----------------------------------------------------------------------------


def test_the_register_shows_public_decisions_to_visitors_and_more_to_members(clients, bob):
    make_public(Space.objects.cooperative())
    public = opened(bob, title="Décision publique")
    private = opened(bob, title="Décision interne", visibility="members")
    draft = propose(bob, title="Brouillon secret")

    visitor = clients["visitor"].get("/decisions/").content.decode()
    member = clients["member"].get("/decisions/").content.decode()
    author = clients["author"].get("/decisions/").content.decode()

    assert public.title in visitor and private.title not in visitor
    assert public.title in member and private.title in member
    assert draft.title not in author  # a draft is not yet a decision
    filtered = clients["member"].get("/decisions/", {"q": "interne"}).content.decode()
    assert private.title in filtered and public.title not in filtered


def test_the_register_shows_the_outcome_and_a_summary(clients, bob, gus, alice, eve):
    decision = opened(bob, "yes_no", title="Adhérer au réseau")
    for member, choice in ((gus, "yes"), (eve, "yes"), (alice, "no"), (bob, "abstain")):
        decision.current_round.take_stance(member, choice)
    decision.close(now=decision.closes_at + DAY)

    page = clients["member"].get("/decisions/", {"etat": "adopted"}).content.decode()

    assert "Adhérer au réseau" in page
    assert "Pour 2 · Contre 1 · Abstention 1" in page


def make_public(space: Space) -> None:
    Space.objects.filter(pk=space.pk).update(visibility=Space.Visibility.PUBLIC)


def test_htmx_sees_input_errors_in_place_and_refusals_stay_403(clients, bob, gus):
    decision = in_objection_round(bob, scope="colleges", colleges=[users_college()])
    htmx = {"HX-Request": "true"}

    response = clients["member"].post(
        url(decision, "position/"), {"stance-choice": "objection"}, headers=htmx
    )
    assert response.status_code == 200
    assert "Une objection doit être motivée" in response.content.decode()

    response = clients["other_college"].post(
        url(decision, "position/"), {"stance-choice": "consent"}, headers=htmx
    )
    assert response.status_code == 403
    assert not Stance.objects.exists()
