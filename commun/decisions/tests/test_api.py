"""API v1, decisions: whole processes through personal tokens, the register, the secret box.

Bob proposes in the cooperative's space (readable by members) to the users' college: Bob
and Gus decide. Eve belongs to the contributors' college, like Alice the officer.
"""

import datetime

from django.test import Client
from django.utils import timezone

from commun.conftest import category, make_member
from commun.decisions.models import Objection, Stance, StanceChange, VoterRoll
from commun.deliberation.models import Space
from commun.testing.api import API, call
from commun.testing.appendonly import tamper
from commun.testing.decisions import by_users, propose, thread_for, users_college

DAY = datetime.timedelta(days=1)


def test_a_consent_decision_goes_from_proposal_to_adoption(callers, bob, gus):
    author, member = callers["author"], callers["member"]
    thread = thread_for(bob)

    created = call(
        author,
        "POST",
        f"/threads/{thread.pk}/decisions",
        {
            "title": "Un serveur",
            "body": "Achetons un serveur.",
            "scope": "colleges",
            "colleges": [users_college().pk],
            "min_deliberation_days": 0,
        },
    )
    assert created.status_code == 201, created.json()
    decision = created.json()
    assert (decision["phase"], decision["version"], decision["actions"]) == (
        "draft",
        1,
        ["open", "withdraw"],
    )
    assert decision["visibility"] == "members"  # the cooperative's space is for members
    pk = decision["id"]

    assert call(author, "POST", f"/decisions/{pk}/open").json()["phase"] == "clarification"
    call(author, "POST", f"/decisions/{pk}/advance")
    opened = call(author, "POST", f"/decisions/{pk}/advance").json()
    assert (opened["phase"], opened["eligible_count"], len(opened["rounds"])) == (
        "objections",
        2,
        1,
    )

    objected = call(
        member, "PUT", f"/decisions/{pk}/stance", {"choice": "objection", "reason": "Trop cher."}
    )
    assert objected.status_code == 200, objected.json()
    assert objected.json()["choice"] == "objection"
    objection = Objection.objects.get()

    integrating = call(author, "POST", f"/objections/{objection.pk}/integrate").json()
    assert integrating["phase"] == "integration"
    assert integrating["objections"][0]["status"] == "integrating"
    amended = call(
        author,
        "POST",
        f"/decisions/{pk}/versions",
        {
            "title": "Un serveur d'occasion",
            "body": "Achetons un serveur d'occasion.",
            "note": "Moins cher",
            "integrates": [objection.pk],
        },
    )
    assert amended.status_code == 201, amended.json()
    versions = amended.json()["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["diff"] is None
    assert {"kind": "added", "text": "Achetons un serveur d'occasion."} in versions[1]["diff"]
    assert amended.json()["objections"][0]["integrated_in"] == 2

    second = call(author, "POST", f"/decisions/{pk}/rounds")
    assert second.status_code == 201
    assert [r["number"] for r in second.json()["rounds"]] == [1, 2]
    mine = call(member, "GET", f"/decisions/{pk}").json()["objections"][0]
    assert mine["actions"] == ["resolve_objection", "withdraw_objection"]
    resolved = call(member, "POST", f"/objections/{objection.pk}/resolve").json()
    assert resolved["objections"][0]["status"] == "resolved"

    call(member, "PUT", f"/decisions/{pk}/stance", {"choice": "consent"})
    call(author, "PUT", f"/decisions/{pk}/stance", {"choice": "concern", "reason": "Le bruit."})
    review_on = (timezone.localdate() + 365 * DAY).isoformat()
    closed = call(
        author,
        "POST",
        f"/decisions/{pk}/close",
        {"statement": "Nous achetons un serveur d'occasion.", "review_on": review_on},
    )

    assert closed.status_code == 200, closed.json()
    result = closed.json()
    assert (result["phase"], result["outcome"], result["outcome_label"]) == (
        "closed",
        "adopted",
        "Adoptée",
    )
    assert result["review_on"] == review_on
    assert result["outcome_statement"] == "Nous achetons un serveur d'occasion."
    assert result["tally"]["stances"] == {"consent": 1, "concern": 1}
    assert result["actions"] == []


def test_my_stance_and_its_history_are_in_the_decision(callers, bob, gus):
    decision = by_users(bob)
    decision.open()
    decision.advance(bob)
    decision.advance(bob)
    member = callers["member"]

    call(member, "PUT", f"/decisions/{decision.pk}/stance", {"choice": "stand_aside"})
    call(member, "PUT", f"/decisions/{decision.pk}/stance", {"choice": "consent"})

    mine = call(member, "GET", f"/decisions/{decision.pk}").json()["my_stance"]
    assert (mine["round"], mine["choice"], mine["choice_label"]) == (1, "consent", "Je consens")
    assert [change["choice"] for change in mine["history"]] == ["stand_aside", "consent"]
    assert call(callers["author"], "GET", f"/decisions/{decision.pk}").json()["my_stance"] is None


def test_fifty_stances_from_the_same_member_leave_one_counted(callers, bob, gus):
    decision = by_users(bob)
    decision.open()
    decision.advance(bob)
    decision.advance(bob)
    choices = ["consent", "concern", "stand_aside"]

    for i in range(50):
        response = call(
            callers["member"],
            "PUT",
            f"/decisions/{decision.pk}/stance",
            {"choice": choices[i % 3], "reason": f"Raison {i}"},
        )
        assert response.status_code == 200, response.json()

    stance = Stance.objects.get(round__decision=decision)
    assert (stance.member, stance.choice) == (gus, choices[49 % 3])
    assert StanceChange.objects.filter(stance=stance).count() == 50
    tally = call(callers["member"], "GET", f"/decisions/{decision.pk}/tally").json()["tally"]
    assert (tally["spoken"], tally["silent"]) == (1, 1)


def test_votes_with_options_count_the_ballots_sent(callers, bob, gus):
    thread = thread_for(bob)
    base = {
        "body": "Quel outil ?",
        "scope": "colleges",
        "colleges": [users_college().pk],
        "min_deliberation_days": 0,
        "options": [{"label": "Nextcloud"}, {"label": "Seafile", "description": "En C."}],
    }
    approval = call(
        callers["author"],
        "POST",
        f"/threads/{thread.pk}/decisions",
        {**base, "kind": "approval", "title": "Approbation"},
    ).json()
    pk = approval["id"]
    first, second = (option["id"] for option in approval["options"])
    assert approval["options"][1]["description"] == "En C."
    call(callers["author"], "POST", f"/decisions/{pk}/open")

    call(callers["member"], "PUT", f"/decisions/{pk}/stance", {"ballot": [first, second]})
    call(callers["author"], "PUT", f"/decisions/{pk}/stance", {"ballot": [second]})

    tally = call(callers["member"], "GET", f"/decisions/{pk}/tally").json()
    assert tally["hidden"] is False
    assert tally["tally"]["counts"] == {str(first): 1, str(second): 2}
    assert tally["tally"]["winners"] == [second]

    score = call(
        callers["author"],
        "POST",
        f"/threads/{thread.pk}/decisions",
        {**base, "kind": "score", "title": "Points", "points_per_voter": 10},
    ).json()
    one, two = (option["id"] for option in score["options"])
    call(callers["author"], "POST", f"/decisions/{score['id']}/open")
    sent = call(
        callers["member"],
        "PUT",
        f"/decisions/{score['id']}/stance",
        {"ballot": {str(one): 7, str(two): 3}},
    )
    assert sent.status_code == 200, sent.json()
    assert sent.json()["ballot"] == {str(one): 7, str(two): 3}


def test_a_secret_ballot_through_the_api(callers, bob, gus):
    decision = by_users(bob, "yes_no", is_secret=True)
    decision.open()
    path = f"/decisions/{decision.pk}"

    cast = call(callers["member"], "POST", f"{path}/ballots", {"choice": "yes"})

    assert cast.status_code == 201, cast.json()
    assert cast["Cache-Control"] == "no-store"
    receipt = cast.json()["receipt"]
    again = call(callers["member"], "POST", f"{path}/ballots", {"choice": "no"})
    assert again.status_code == 422
    assert "déjà voté" in again.json()["detail"][0]["msg"]
    detail = call(callers["member"], "GET", path).json()
    assert (detail["tally"], detail["tally_hidden"], detail["has_voted"]) == (None, True, True)
    assert detail["my_stance"] is None
    assert call(callers["author"], "GET", path).json()["has_voted"] is False
    assert call(callers["member"], "GET", f"{path}/tally").json()["tally"] is None

    box = call(callers["other_college"], "GET", f"{path}/rounds/1/box").json()
    assert [b["receipt"] for b in box["ballots"]] == [receipt]
    assert box["ballots"][0]["content"] is None  # sealed until the close
    assert (box["count"], box["verified"], box["broken_at"], box["closed"]) == (
        1,
        True,
        None,
        False,
    )
    assert box["head"] == box["ballots"][0]["hash"]
    assert box["ballots"][0]["previous_hash"] == box["genesis"] == "0" * 64

    no = call(callers["author"], "POST", f"{path}/ballots", {"choice": "no"}).json()["receipt"]
    closed = call(callers["author"], "POST", f"{path}/close", {"statement": "Égalité."})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["tally"]["yes"] == closed.json()["tally"]["no"] == 1

    box = call(callers["member"], "GET", f"{path}/rounds/1/box").json()
    assert {b["receipt"]: b["content"]["choice"] for b in box["ballots"]} == {
        receipt: "yes",
        no: "no",
    }
    found = call(callers["member"], "GET", f"{path}/rounds/1/box?receipt={no.lower()}").json()
    assert [b["receipt"] for b in found["ballots"]] == [no]
    assert VoterRoll.objects.filter(round__decision=decision).count() == 2


def test_an_altered_ballot_breaks_the_published_chain(callers, bob, gus):
    decision = by_users(bob, "yes_no", is_secret=True)
    decision.open()
    for member in ("member", "author"):
        call(callers[member], "POST", f"/decisions/{decision.pk}/ballots", {"choice": "yes"})
    tamper(
        ("UPDATE decisions_ballot SET content = %s WHERE sequence = 2", ['{"choice": "no"}']),
        tables=["decisions_ballot"],
    )

    box = call(callers["member"], "GET", f"/decisions/{decision.pk}/rounds/1/box").json()

    assert (box["verified"], box["broken_at"]) == (False, 2)
    unchecked = call(
        callers["member"], "GET", f"/decisions/{decision.pk}/rounds/1/box?verify=false"
    ).json()
    assert unchecked["verified"] is None


def test_the_box_of_a_vote_that_is_not_secret_does_not_exist(callers, bob, gus):
    decision = by_users(bob, "yes_no")
    decision.open()
    assert (
        call(callers["member"], "GET", f"/decisions/{decision.pk}/rounds/1/box").status_code == 404
    )
    secret = by_users(bob, "yes_no", is_secret=True)
    secret.open()
    assert call(callers["member"], "GET", f"/decisions/{secret.pk}/rounds/2/box").status_code == 404


def test_the_advice_process_through_the_api(callers, bob, gus):
    thread = thread_for(bob)
    created = call(
        callers["author"],
        "POST",
        f"/threads/{thread.pk}/decisions",
        {
            "kind": "advice",
            "title": "Changer d'hébergeur",
            "body": "Je compte changer d'hébergeur.",
            "advisors": [gus.number],
            "min_deliberation_days": 0,
        },
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert call(callers["author"], "POST", f"/decisions/{pk}/open").json()["phase"] == "advice"

    given = call(callers["member"], "PUT", f"/decisions/{pk}/advice", {"advice": "Bonne idée."})
    assert given.status_code == 200, given.json()
    advice = given.json()["advice"]
    assert [(a["advisor_number"], a["advice"], a["is_mine"]) for a in advice] == [
        (gus.number, "Bonne idée.", True)
    ]
    decided = call(
        callers["author"], "POST", f"/decisions/{pk}/advice-decision", {"statement": "On change."}
    )

    assert decided.status_code == 200, decided.json()
    assert (decided.json()["outcome"], decided.json()["outcome_statement"]) == (
        "decided",
        "On change.",
    )


def test_withdrawing_and_dismissing_through_the_api(callers, bob, gus):
    decision = by_users(bob)
    decision.open()
    decision.advance(bob)
    decision.advance(bob)
    decision.current_round.take_stance(gus, "objection", "Pas maintenant.")
    objection = Objection.objects.get()

    dismissed = call(
        callers["officer"], "POST", f"/objections/{objection.pk}/dismiss", {"note": "Hors sujet."}
    )
    assert dismissed.status_code == 200, dismissed.json()
    assert dismissed.json()["objections"][0]["status"] == "not_an_objection"
    assert dismissed.json()["objections"][0]["status_note"] == "Hors sujet."

    withdrawn = call(callers["author"], "POST", f"/decisions/{decision.pk}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["outcome"] == "withdrawn"


# The register ------------------------------------------------------------------------------


def test_the_register_shows_visitors_the_public_decisions_only(callers, bob, gus):
    Space.objects.filter(kind="cooperative").update(visibility=Space.Visibility.PUBLIC)
    public = by_users(bob, visibility="public", title="Publique")
    members_only = by_users(bob, visibility="members", title="Réservée")
    draft = by_users(bob, title="Brouillon")
    public.open()
    members_only.open()

    def titles(client, query=""):
        response = call(client, "GET", f"/decisions{query}")
        assert response.status_code == 200
        return [item["title"] for item in response.json()["items"]]

    assert titles(callers["visitor"]) == ["Publique"]
    assert titles(callers["account"]) == ["Publique"]
    assert set(titles(callers["member"])) == {"Publique", "Réservée"}
    assert titles(callers["author"], "?phase=draft") == [draft.title]
    assert titles(callers["member"], "?phase=draft") == []
    assert titles(callers["visitor"], "?phase=draft") == []


def test_the_register_filters_by_phase_outcome_kind_and_space(callers, bob, gus):
    consent = by_users(bob, title="Consentement")
    consent.open()
    vote = by_users(bob, "yes_no", title="Vote")
    vote.open()
    vote.withdraw(bob)
    college_space = Space.objects.for_college(users_college())
    elsewhere = propose(
        bob, space=college_space, scope="colleges", visibility="members", title="Au collège"
    )
    elsewhere.open()
    member = callers["member"]

    def titles(query):
        response = call(member, "GET", f"/decisions?{query}")
        assert response.status_code == 200, response.json()
        return sorted(item["title"] for item in response.json()["items"])

    assert titles("kind=yes_no") == ["Vote"]
    assert titles("outcome=withdrawn") == ["Vote"]
    assert titles("phase=clarification") == ["Au collège", "Consentement"]
    assert titles(f"space={college_space.slug}") == ["Au collège"]
    assert titles("q=collège") == ["Au collège"]
    bad = call(member, "GET", "/decisions?phase=nulle-part")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["msg"].startswith("Valeur inconnue")


def test_the_register_reads_a_page_in_a_bounded_number_of_queries(
    callers, bob, gus, django_assert_max_num_queries
):
    for i in range(30):
        by_users(bob, title=f"Décision {i}").open()
    call(callers["member"], "GET", "/decisions")  # warms the token's user

    with django_assert_max_num_queries(6):
        response = call(callers["member"], "GET", "/decisions?page_size=30")

    assert response.json()["count"] == 30
    assert len(response.json()["items"]) == 30
    assert response.json()["items"][0]["author"]


def test_a_decision_reads_in_a_bounded_number_of_queries(
    callers, bob, gus, eve, django_assert_max_num_queries
):
    decision = by_users(bob)
    decision.open()
    decision.advance(bob)
    decision.advance(bob)
    more = [
        make_member(f"u{i}@example.org", "U", f"{i}", category("Partenaires")) for i in range(3)
    ]
    decision2 = by_users(bob, title="Autre")
    decision2.open()
    decision2.advance(bob)
    decision2.advance(bob)
    for member in [gus, *more]:
        decision2.current_round.take_stance(member, "objection", f"Non, dit {member.number}.")
    decision2.objections.first().begin_integration(bob)
    decision2.amend(bob, title="Autre, revue", body="Revue.")
    decision2.amend(bob, title="Autre, revue encore", body="Revue encore.")
    decision.current_round.take_stance(gus, "objection", "Non.")

    def queries(pk):
        with django_assert_max_num_queries(25) as captured:
            response = call(callers["member"], "GET", f"/decisions/{pk}")
        assert response.status_code == 200
        return len(captured)

    assert queries(decision2.pk) == queries(decision.pk)


def test_a_college_only_space_hides_its_decisions_from_others(callers, bob, gus):
    space = Space.objects.for_college(users_college())
    space.visibility = Space.Visibility.COLLEGE
    space.save()
    decision = propose(bob, space=space, scope="colleges", visibility="members", title="Secret")
    decision.open()
    decision.advance(bob)
    decision.advance(bob)

    assert call(callers["member"], "GET", f"/decisions/{decision.pk}").status_code == 200
    for role in ("other_college", "officer"):
        assert call(callers[role], "GET", f"/decisions/{decision.pk}").status_code == 404
        stance = call(
            callers[role], "PUT", f"/decisions/{decision.pk}/stance", {"choice": "consent"}
        )
        assert stance.status_code == 404
        listed = call(callers[role], "GET", "/decisions").json()["items"]
        assert "Secret" not in [item["title"] for item in listed]
    assert not Stance.objects.exists()


def test_the_openapi_document_lists_the_decision_paths(coop):
    document = Client().get(f"{API}/openapi.json").json()
    paths = {
        path.removeprefix(API)
        for path, operations in document["paths"].items()
        if any("Décisions" in operation.get("tags", []) for operation in operations.values())
    }
    assert {
        "/decisions",
        "/decisions/{decision_id}",
        "/threads/{thread_id}/decisions",
        "/decisions/{decision_id}/stance",
        "/decisions/{decision_id}/ballots",
        "/decisions/{decision_id}/rounds/{number}/box",
        "/objections/{objection_id}/dismiss",
        "/decisions/{decision_id}/advice-decision",
    } <= paths
