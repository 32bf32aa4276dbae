"""Who may do what on the decision pages, phase by phase: a person × phase × action matrix.

The decision is Bob's, decided by the users' college (Bob and Gus), readable by members.
Eve is a member of another college, Alice an officer of another college, Dan has an
account and no membership. Forged POSTs from the wrong person answer 403 or 404 (a
visitor is sent to log in) and change nothing; the right person is never refused.
"""

import datetime

import pytest
from django.test import Client

from commun.conftest import client_for
from commun.decisions.models import Decision, Objection, Stance
from commun.deliberation.models import Space
from commun.members.models import College
from commun.testing.decisions import propose

ROLES = ["visitor", "account", "member", "other_college", "author", "officer"]
PHASES = ["draft", "clarification", "objections", "integration", "closed"]

# Which roles may take each action in each phase (the others must be refused).
ALLOWED = {
    ("draft", "open"): {"author"},
    ("draft", "withdraw"): {"author"},
    ("clarification", "advance"): {"author"},
    ("clarification", "amend"): {"author"},
    ("clarification", "withdraw"): {"author"},
    ("objections", "stance"): {"member", "author"},
    ("objections", "close"): {"author", "officer"},
    ("objections", "withdraw"): {"author"},
    ("objections", "integrate"): {"author"},
    ("objections", "dismiss"): {"author", "officer"},
    ("objections", "withdraw_objection"): {"member"},
    ("objections", "resolve"): {"member"},
    ("integration", "amend"): {"author"},
    ("integration", "new_round"): {"author"},
    ("integration", "withdraw"): {"author"},
    ("integration", "integrate"): {"author"},
    ("integration", "dismiss"): {"author", "officer"},
    ("integration", "withdraw_objection"): {"member"},
}
ACTIONS = [
    "open",
    "advance",
    "amend",
    "stance",
    "new_round",
    "withdraw",
    "close",
    "integrate",
    "dismiss",
    "withdraw_objection",
    "resolve",
]


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


def decision_in(phase: str, bob, gus) -> Decision:
    decision = propose(
        bob,
        scope="colleges",
        colleges=[users_college()],
        visibility="members",
        min_deliberation=datetime.timedelta(0),
    )
    if phase == "draft":
        return decision
    decision.open()
    if phase == "clarification":
        return decision
    decision.advance(bob)
    decision.advance(bob)
    decision.current_round.take_stance(gus, "objection", "Trop tôt.")
    if phase == "objections":
        return decision
    Objection.objects.get().begin_integration(bob)
    if phase == "integration":
        return decision
    decision.withdraw(bob)
    return decision


def request_for(action: str, decision: Decision) -> tuple[str, dict]:
    objection = decision.objections.first()
    base = f"/decisions/{decision.pk}/"
    match action:
        case "open":
            return base + "ouvrir/", {}
        case "advance":
            return base + "etape-suivante/", {}
        case "amend":
            return base + "amender/", {"amend-title": "Autre titre", "amend-body": "Autre texte."}
        case "stance":
            return base + "position/", {"stance-choice": "consent"}
        case "new_round":
            return base + "nouveau-tour/", {}
        case "withdraw":
            return base + "retirer/", {}
        case "close":
            return base + "clore/", {}
    base = f"/objections/{objection.pk}/"
    match action:
        case "integrate":
            return base + "integrer/", {}
        case "dismiss":
            return base + "ecarter/", {f"objection-{objection.pk}-status_note": "Pas bloquant."}
        case "withdraw_objection":
            return base + "retirer/", {}
        case "resolve":
            return base + "lever/", {}


def snapshot(decision: Decision):
    d = Decision.objects.get(pk=decision.pk)
    return (
        d.phase,
        d.outcome,
        d.title,
        d.versions.count(),
        d.rounds.count(),
        sorted(Stance.objects.filter(round__decision=d).values_list("member", "choice")),
        sorted(d.objections.values_list("pk", "status")),
    )


def assert_refused(response, role):
    if role == "visitor":
        assert response.status_code == 302
        assert "/compte/login/" in response["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code


OBJECTION_ACTIONS = {"integrate", "dismiss", "withdraw_objection", "resolve"}
CASES = [
    (phase, action)
    for phase in PHASES
    for action in ACTIONS
    # Objections exist from the first objection round on.
    if action not in OBJECTION_ACTIONS or phase in ("objections", "integration", "closed")
]


@pytest.mark.parametrize(("phase", "action"), CASES)
def test_each_action_is_refused_to_whoever_may_not_take_it(clients, bob, gus, phase, action):
    decision = decision_in(phase, bob, gus)
    path, data = request_for(action, decision)
    allowed = ALLOWED.get((phase, action), set())
    before = snapshot(decision)

    for role in ROLES:
        if role in allowed:
            continue
        response = clients[role].post(path, data)
        assert_refused(response, role)
        assert snapshot(decision) == before, f"{role} changed something with {action}"

    for role in sorted(allowed):
        response = clients[role].post(path, data)
        # Allowed does not mean it succeeds (closing early needs everyone to have spoken),
        # but it is never refused as if the person had no right.
        assert response.status_code in (302, 400), (role, response.status_code)


@pytest.mark.parametrize("phase", PHASES)
def test_who_reads_the_decision_page(clients, bob, gus, phase):
    decision = decision_in(phase, bob, gus)
    path = f"/decisions/{decision.pk}/"

    for role in ROLES:
        response = clients[role].get(path)
        if role == "visitor":
            assert_refused(response, role)
        elif role == "account" or (phase == "draft" and role != "author"):
            assert response.status_code == 404, role
        else:
            assert response.status_code == 200, role


def test_the_buttons_shown_follow_the_rules(clients, bob, gus):
    decision = decision_in("objections", bob, gus)

    author = clients["author"].get(f"/decisions/{decision.pk}/").content.decode()
    member = clients["member"].get(f"/decisions/{decision.pk}/").content.decode()
    officer = clients["officer"].get(f"/decisions/{decision.pk}/").content.decode()
    other = clients["other_college"].get(f"/decisions/{decision.pk}/").content.decode()

    assert "Intégrer cette objection" in author and "Intégrer cette objection" not in member
    assert "Retirer mon objection" in member and "Retirer mon objection" not in author
    assert "Juger que ce n&#x27;est pas une objection" in officer or (
        "Juger que ce n'est pas une objection" in officer
    )
    assert "Enregistrer ma position" in member and "Enregistrer ma position" not in other
    assert "Clore la décision" in officer and "Clore la décision" not in member


def test_a_college_only_space_hides_its_decisions_from_other_colleges(clients, bob, gus):
    space = Space.objects.for_college(users_college())
    space.visibility = Space.Visibility.COLLEGE
    space.save()
    decision = propose(
        bob,
        space=space,
        scope="colleges",
        colleges=[users_college()],
        visibility="members",
    )
    decision.open()
    decision.advance(bob)
    decision.advance(bob)

    assert clients["member"].get(f"/decisions/{decision.pk}/").status_code == 200
    for role in ("other_college", "officer"):
        assert clients[role].get(f"/decisions/{decision.pk}/").status_code == 404
        response = clients[role].post(
            f"/decisions/{decision.pk}/position/", {"stance-choice": "consent"}
        )
        assert response.status_code == 404
        assert decision.title not in clients[role].get("/decisions/").content.decode()
    assert not Stance.objects.exists()


def test_a_public_decision_is_read_by_visitors_without_any_button(clients, bob, gus):
    make_public(Space.objects.cooperative())
    decision = propose(bob, visibility="public")
    decision.open()
    decision.advance(bob)
    decision.advance(bob)

    page = clients["visitor"].get(f"/decisions/{decision.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Ce que vous pouvez faire" not in text
    assert '<form method="post" action="/decisions/' not in text


def test_an_unknown_or_huge_id_answers_404(clients):
    for path in ("/decisions/999999/", f"/decisions/{2**64}/", f"/objections/{2**64}/lever/"):
        method = clients["member"].post if "lever" in path else clients["member"].get
        assert method(path).status_code == 404


def make_public(space: Space) -> None:
    Space.objects.filter(pk=space.pk).update(visibility=Space.Visibility.PUBLIC)


def test_an_objection_being_integrated_offers_no_second_integration(clients, bob, gus):
    decision = decision_in("integration", bob, gus)
    page = clients["author"].get(f"/decisions/{decision.pk}/").content.decode()
    assert "Intégrer cette objection" not in page
