"""A resolution that ratifies a decision adopted online: its title and text come from the
decision, the link is kept (agenda, convocation, API); a decision not adopted is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commun.conftest import client_for
from commun.decisions.models import Decision
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft
from commun.testing.decisions import propose

pytestmark = pytest.mark.django_db


def closed_as(decision: Decision, outcome: str) -> Decision:
    Decision.objects.filter(pk=decision.pk).update(
        phase=Decision.Phase.CLOSED, outcome=outcome, closed_at=timezone.now()
    )
    decision.refresh_from_db()
    return decision


@pytest.fixture
def adopted(alice):
    decision = propose(
        alice, title="Acheter un serveur", body="Nous achetons un serveur pour nos outils."
    )
    return closed_as(decision, Decision.Outcome.ADOPTED)


def test_an_officer_picks_an_adopted_decision_and_the_resolution_takes_its_text(
    alice, bob, adopted
):
    assembly = draft(alice.user)
    page = client_for(alice.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    assert f'<option value="{adopted.pk}">Acheter un serveur</option>' in page
    response = client_for(alice.user).post(
        f"/assemblees/{assembly.pk}/ordre-du-jour/",
        {"kind": "resolution", "title": "", "text": "", "decision": str(adopted.pk)},
    )
    assert response.status_code == 302
    item = assembly.items.get(position=2)
    assert (item.title, item.text, item.decision) == (
        "Acheter un serveur",
        "Nous achetons un serveur pour nos outils.",
        adopted,
    )
    assembly.convene(alice.user)
    for url in (f"/assemblees/{assembly.pk}/", f"/assemblees/{assembly.pk}/convocation/"):
        page = client_for(bob.user).get(url).content.decode()
        assert "Ratifie la décision « Acheter un serveur », adoptée en ligne le" in page
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/").content.decode()
    assert f'href="/decisions/{adopted.pk}/"' in page


def test_a_title_or_text_given_is_kept_and_the_statement_preferred(alice, adopted):
    Decision.objects.filter(pk=adopted.pk).update(outcome_statement="Le serveur est acheté.")
    adopted.refresh_from_db()
    assembly = draft(alice.user)
    item = assembly.add_item(alice.user, "resolution", "Ratification", decision=adopted)
    assert (item.title, item.text) == ("Ratification", "Le serveur est acheté.")


@pytest.mark.parametrize(
    "outcome",
    [Decision.Outcome.REJECTED, Decision.Outcome.LAPSED, Decision.Outcome.WITHDRAWN, ""],
)
def test_a_decision_not_adopted_is_refused_and_nothing_written(alice, outcome):
    decision = propose(alice, title="Vendre le serveur")
    if outcome:
        closed_as(decision, outcome)
    assembly = draft(alice.user)
    with pytest.raises(ValidationError) as refused:
        assembly.add_item(alice.user, "resolution", "", decision=decision)
    assert refused.value.message_dict == {
        "decision": ["Seule une décision adoptée se soumet à la ratification."]
    }
    response = client_for(alice.user).post(
        f"/assemblees/{assembly.pk}/ordre-du-jour/",
        {"kind": "resolution", "title": "", "text": "", "decision": str(decision.pk)},
    )
    assert response.status_code == 422
    assert "Seule une décision adoptée se soumet à la ratification." in response.content.decode()
    response = call(
        bearer(alice.user),
        "POST",
        f"/assemblies/{assembly.pk}/items",
        {"kind": "resolution", "decision_id": decision.pk},
    )
    assert response.status_code == 422
    assert "decision_id" in response.content.decode()
    assert assembly.items.count() == 1


def test_an_information_item_ratifies_nothing(alice, adopted):
    assembly = draft(alice.user)
    with pytest.raises(ValidationError) as refused:
        assembly.add_item(alice.user, "information", "Point", decision=adopted)
    assert "decision" in refused.value.message_dict
    assert assembly.items.count() == 1


def test_the_api_adds_a_ratification_and_shows_the_link(alice, adopted):
    assembly = draft(alice.user)
    response = call(
        bearer(alice.user),
        "POST",
        f"/assemblies/{assembly.pk}/items",
        {"kind": "resolution", "decision_id": adopted.pk},
    )
    assert response.status_code == 201
    items = response.json()["items"]
    assert items[0]["decision_id"] is None
    assert items[1] | {"text": ""} == {
        "position": 2,
        "kind": "resolution",
        "title": "Acheter un serveur",
        "text": "",
        "status": "pending",
        "adopted": None,
        "decision_id": adopted.pk,
        "put_by_officers": True,
        "secret": False,
        "amends_position": None,
        "admission": "",
        "amended_text": "",
        "effect": {},
        "effect_outcome": {},
    }
    response = call(
        bearer(alice.user),
        "POST",
        f"/assemblies/{assembly.pk}/items",
        {"kind": "resolution", "decision_id": 99999},
    )
    assert response.status_code == 422
