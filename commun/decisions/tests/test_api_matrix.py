"""Every decisions endpoint × every role × the phases where it matters, through tokens.

The decision is Bob's (the author), decided by the users' college (Bob and Gus, the
member), readable by members. Eve is a member of another college, Alice an officer of
another college, Dan an account without membership. Each role acts on a fresh decision:
a refusal (401 authenticate, 404 not yours to read, 403 not yours to do, 422 not now)
changes nothing; the rules, not the endpoint, decide who may.
"""

import pytest
from django.test import Client

from commun.conftest import category, make_member
from commun.decisions.models import (
    Ballot,
    Decision,
    Objection,
    Stance,
    StanceChange,
    VoterRoll,
)
from commun.testing.api import bearer, call, documented_endpoints
from commun.testing.decisions import by_users

# The people of test_api, as fixtures here too.

ROLES = ["visitor", "account", "member", "other_college", "author", "officer"]

ALL = (200, 200, 200, 200, 200, 200)
READ = (404, 404, 200, 200, 200, 200)
DRAFT_READ = (404, 404, 404, 404, 200, 404)
NOBODY = (401, 404, 403, 403, 403, 403)  # readable, but this step lets nobody do it
DRAFT_NOBODY = (401, 404, 404, 404, 403, 404)
AUTHOR = (401, 404, 403, 403, 200, 403)
AUTHOR_CREATES = (401, 404, 403, 403, 201, 403)
AUTHOR_OR_OFFICER = (401, 404, 403, 403, 200, 200)
OBJECTOR = (401, 404, 200, 403, 403, 403)
ELIGIBLE_NOT_NOW = (401, 404, 422, 403, 422, 403)  # may take part, but not this way

# (method, path, body, {scenario: expected statuses of ROLES})
MATRIX = [
    ("GET", "/decisions", None, {"draft": ALL, "objections": ALL}),
    (
        "GET",
        "/decisions/{decision_id}",
        None,
        {"draft": DRAFT_READ, "objections": READ, "closed": READ, "vote": READ},
    ),
    (
        "GET",
        "/decisions/{decision_id}/tally",
        None,
        {"draft": DRAFT_READ, "objections": READ, "vote": READ},
    ),
    (
        "GET",
        "/decisions/{decision_id}/rounds/{number}/box",
        None,
        {"vote": READ, "vote_closed": READ, "objections": (404,) * 6},
    ),
    (
        "POST",
        "/threads/{thread_id}/decisions",
        {"title": "Proposé", "body": "Texte.", "min_deliberation_days": 0},
        {"draft": (401, 404, 201, 201, 201, 201)},
    ),
    (
        "POST",
        "/decisions/{decision_id}/open",
        None,
        {"draft": (401, 404, 404, 404, 200, 404), "clarification": NOBODY},
    ),
    (
        "POST",
        "/decisions/{decision_id}/advance",
        None,
        {"draft": DRAFT_NOBODY, "clarification": AUTHOR, "objections": NOBODY},
    ),
    (
        "POST",
        "/decisions/{decision_id}/versions",
        {"title": "Autre titre", "body": "Autre texte."},
        {"clarification": AUTHOR_CREATES, "objections": NOBODY, "integration": AUTHOR_CREATES},
    ),
    (
        "POST",
        "/decisions/{decision_id}/rounds",
        None,
        {"objections": NOBODY, "integration": AUTHOR_CREATES},
    ),
    (
        "PUT",
        "/decisions/{decision_id}/stance",
        {"choice": "consent"},
        {
            "clarification": NOBODY,
            "objections": (401, 404, 200, 403, 200, 403),
            "closed": NOBODY,
            "vote": ELIGIBLE_NOT_NOW,
        },
    ),
    (
        "POST",
        "/decisions/{decision_id}/ballots",
        {"choice": "yes"},
        {
            "vote": (401, 404, 201, 403, 201, 403),
            "vote_closed": NOBODY,
            "objections": ELIGIBLE_NOT_NOW,
        },
    ),
    (
        "POST",
        "/objections/{objection_id}/integrate",
        None,
        {
            "objections": AUTHOR,
            "integration": (401, 404, 403, 403, 422, 403),  # already being integrated
            "closed": NOBODY,
        },
    ),
    (
        "POST",
        "/objections/{objection_id}/dismiss",
        {"note": "Pas bloquant."},
        {"objections": AUTHOR_OR_OFFICER, "integration": AUTHOR_OR_OFFICER, "closed": NOBODY},
    ),
    (
        "POST",
        "/objections/{objection_id}/withdraw",
        None,
        {"objections": OBJECTOR, "integration": OBJECTOR, "closed": NOBODY},
    ),
    (
        "POST",
        "/objections/{objection_id}/resolve",
        None,
        # Lifted on the revised version only: in its own round, the objector withdraws it.
        {"objections": (401, 404, 422, 403, 403, 403), "second_round": OBJECTOR},
    ),
    (
        "POST",
        "/decisions/{decision_id}/withdraw",
        None,
        {"draft": (401, 404, 404, 404, 200, 404), "clarification": AUTHOR, "closed": NOBODY},
    ),
    (
        "POST",
        "/decisions/{decision_id}/close",
        {},
        {
            "consented": AUTHOR_OR_OFFICER,
            # Before the deadline, not while someone has not spoken and an objection is open.
            "objections": (401, 404, 403, 403, 422, 422),
            "clarification": NOBODY,
        },
    ),
    (
        "PUT",
        "/decisions/{decision_id}/advice",
        {"advice": "Oui."},
        {"advice": OBJECTOR, "objections": NOBODY},
    ),
    (
        "POST",
        "/decisions/{decision_id}/advice-decision",
        {"statement": "Décidé."},
        {"advice": AUTHOR, "objections": NOBODY},
    ),
    (
        "POST",
        "/decisions/{decision_id}/casting-vote",
        {"choice": "yes", "statement": "La présidence tranche."},
        # Only a tie left to the chair waits for an officer's casting vote.
        {"vote_tied": (401, 404, 403, 403, 403, 200), "vote_closed": NOBODY},
    ),
]


def decision_in(scenario: str, bob, gus) -> Decision:
    """A fresh decision of Bob's at the given step."""
    if scenario.startswith("vote"):
        decision = by_users(bob, "yes_no", is_secret=True, tie_rule="chair")
        decision.open()
        if scenario == "vote_closed":
            decision.current_round.cast_secret_ballot(gus, "yes")
            decision.current_round.cast_secret_ballot(bob, "yes")
            decision.close(by=bob)
        if scenario == "vote_tied":
            decision.current_round.cast_secret_ballot(gus, "yes")
            decision.current_round.cast_secret_ballot(bob, "no")
            decision.close(now=decision.closes_at)
        return decision
    if scenario == "advice":
        decision = by_users(bob, "advice", advisors=[gus])
        decision.open()
        decision.advice.get().give(gus, "Allez-y.")
        return decision
    decision = by_users(bob)
    if scenario == "draft":
        return decision
    decision.open()
    if scenario == "clarification":
        return decision
    decision.advance(bob)
    decision.advance(bob)
    if scenario == "consented":
        decision.current_round.take_stance(gus, "consent")
        decision.current_round.take_stance(bob, "consent")
        return decision
    decision.current_round.take_stance(gus, "objection", "Trop tôt.")
    if scenario == "objections":
        return decision
    objection = Objection.objects.get(decision=decision)
    objection.begin_integration(bob)
    if scenario == "integration":
        return decision
    if scenario == "second_round":
        decision.amend(bob, title="Revu", body="Revu.", integrates=[objection])
        decision.start_new_round(bob)
        return decision
    assert scenario == "closed"
    decision.withdraw(bob)
    return decision


def snapshot(decision: Decision):
    d = Decision.objects.get(pk=decision.pk)
    return (
        Decision.objects.count(),
        d.phase,
        d.outcome,
        d.result,
        d.title,
        d.versions.count(),
        d.rounds.count(),
        sorted(Stance.objects.filter(round__decision=d).values_list("member", "choice", "reason")),
        StanceChange.objects.filter(stance__round__decision=d).count(),
        sorted(d.objections.values_list("pk", "status", "status_note")),
        sorted(d.advice.values_list("advisor", "advice")),
        Ballot.objects.filter(round__decision=d).count(),
        VoterRoll.objects.filter(round__decision=d).count(),
    )


CASES = [
    pytest.param(method, path, body, scenario, expected, id=f"{method} {path} [{scenario}]")
    for method, path, body, by_scenario in MATRIX
    for scenario, expected in by_scenario.items()
]


@pytest.mark.parametrize(("method", "path", "body", "scenario", "expected"), CASES)
def test_permission_matrix(callers, bob, gus, method, path, body, scenario, expected):
    statuses = {}
    for role in ROLES:
        decision = decision_in(scenario, bob, gus)
        objection = decision.objections.first()
        url = path.format(
            decision_id=decision.pk,
            thread_id=decision.thread_id,
            objection_id=objection.pk if objection else 0,
            number=1,
        )
        before = snapshot(decision)

        response = call(callers[role], method, url, body)

        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), role
            assert response.json()["detail"], role
            assert snapshot(decision) == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_every_decisions_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Décisions")
    assert documented == {(method, path) for method, path, *_rest in MATRIX}


def test_a_forged_or_revoked_token_is_refused_and_changes_nothing(callers, bob, gus):
    decision = decision_in("objections", bob, gus)
    before = snapshot(decision)
    forged = Client(headers={"Authorization": "Bearer cmn_faux"})

    response = call(forged, "PUT", f"/decisions/{decision.pk}/stance", {"choice": "consent"})

    assert response.status_code == 401
    assert snapshot(decision) == before


def test_a_member_who_joined_after_the_opening_may_not_take_a_stance(callers, bob, gus):
    decision = decision_in("objections", bob, gus)
    late = make_member("late@example.org", "Léa", "Tard", category("Partenaires"))
    before = snapshot(decision)

    response = call(
        bearer(late.user), "PUT", f"/decisions/{decision.pk}/stance", {"choice": "consent"}
    )

    assert response.status_code == 403
    assert "pas appelé·e" in response.json()["detail"]
    assert snapshot(decision) == before
