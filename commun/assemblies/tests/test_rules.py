"""The statutes' rules for each kind of assembly: SCIC defaults, edited by the officers."""

import pytest

from commun.assemblies.models import AssemblyRules, Kind
from commun.conftest import client_for
from commun.members.models import College
from commun.testing.api import bearer, call

pytestmark = pytest.mark.django_db

FORM = {
    "notice_days": "21",
    "requests_deadline_days": "10",
    "quorum_first": "1/4",
    "quorum_second": "1/5",
    "majority": "2/3",
    "proxies_allowed": "on",
    "max_proxies": "3",
    "advance_votes_count": "on",
    "weighted_by_college": "on",
}


def test_the_defaults_are_a_scic_s():
    ordinary, extraordinary, both = AssemblyRules.every_kind()
    assert (ordinary.notice_days, ordinary.quorum_first, ordinary.quorum_second) == (15, "1/5", "0")
    assert ordinary.majority == "1/2"
    assert (extraordinary.quorum_first, extraordinary.quorum_second) == ("1/4", "1/5")
    assert extraordinary.majority == "2/3"
    # Requests for an item: 25 days before the meeting, as for a SA (art. R. 225-73).
    assert {r.requests_deadline_days for r in (ordinary, extraordinary, both)} == {25}
    assert both.kind == Kind.ORDINARY_EXTRAORDINARY


def test_an_officer_edits_a_kind_s_rules_on_its_page(alice):
    client = client_for(alice.user)
    response = client.post("/assemblees/regles/extraordinary/", FORM)
    assert response.status_code == 302
    rules = AssemblyRules.of(Kind.EXTRAORDINARY)
    assert (rules.notice_days, rules.max_proxies, rules.weighted_by_college) == (21, 3, True)
    assert rules.requests_deadline_days == 10
    page = client.get("/assemblees/regles/").content.decode()
    assert "Jusqu'à 10 jours avant l'assemblée" in page
    assert "21 jours" in page and "Deux tiers des suffrages exprimés" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quorum_first": "1/5", "quorum_second": "1/4"}, "quorum_second", "ne peut pas dépasser"),
        ({"max_proxies": "0"}, "max_proxies", "Un pouvoir au moins"),
        ({"notice_days": "0"}, "notice_days", "Entre 1 et 180 jours"),
        ({"requests_deadline_days": "181"}, "requests_deadline_days", "Entre 0 et 180 jours"),
        ({"majority": "3/5"}, "majority", "Sélectionnez un choix valide"),
    ],
)
def test_bad_rules_are_refused_on_their_field(alice, change, field, message):
    response = client_for(alice.user).post("/assemblees/regles/ordinary/", {**FORM, **change})
    assert response.status_code == 422
    assert message in str(response.context["form"].errors[field])
    assert AssemblyRules.of(Kind.ORDINARY).notice_days == 15


def test_weighted_votes_need_weighted_colleges(alice):
    College.objects.filter(position=1).update(weight_percent=None)
    response = client_for(alice.user).post("/assemblees/regles/ordinary/", FORM)
    assert response.status_code == 422
    assert "Pondérez d'abord" in response.context["form"].errors["weighted_by_college"][0]
    assert not AssemblyRules.of(Kind.ORDINARY).weighted_by_college


def test_members_read_the_rules_but_only_officers_change_them(bob):
    client = client_for(bob.user)
    assert client.get("/assemblees/regles/").status_code == 200
    assert client.get("/assemblees/regles/ordinary/").status_code == 403
    assert client.post("/assemblees/regles/ordinary/", FORM).status_code == 403
    assert AssemblyRules.of(Kind.ORDINARY).notice_days == 15


def test_an_unknown_kind_is_not_found(alice):
    assert client_for(alice.user).get("/assemblees/regles/secret/").status_code == 404


API_BODY = {
    "notice_days": 30,
    "requests_deadline_days": 20,
    "quorum_first": "1/3",
    "quorum_second": "1/5",
    "majority": "3/4",
    "proxies_allowed": False,
    "max_proxies": 0,
    "advance_votes_count": True,
    "weighted_by_college": False,
    "minutes_public": False,
}


def test_the_api_reads_and_changes_the_rules(alice, bob):
    response = call(bearer(alice.user), "PUT", "/assemblies/rules/ordinary", API_BODY)
    assert response.status_code == 200, response.content
    assert response.json()["majority"] == "3/4"
    listed = call(bearer(bob.user), "GET", "/assemblies/rules").json()
    assert [r["kind"] for r in listed] == ["ordinary", "extraordinary", "ordinary_extraordinary"]
    assert listed[0]["notice_days"] == 30
    assert listed[0]["requests_deadline_days"] == 20
    body = {**API_BODY, "requests_deadline_days": 0}
    response = call(bearer(alice.user), "PUT", "/assemblies/rules/ordinary", body)
    assert response.json()["requests_deadline_days"] == 0


def test_the_api_refuses_bad_rules_with_details_and_members_with_403(alice, bob):
    body = {**API_BODY, "quorum_first": "0", "quorum_second": "1/2"}
    response = call(bearer(alice.user), "PUT", "/assemblies/rules/ordinary", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "quorum_second"
    response = call(bearer(bob.user), "PUT", "/assemblies/rules/ordinary", API_BODY)
    assert response.status_code == 403
    response = call(bearer(alice.user), "PUT", "/assemblies/rules/other", API_BODY)
    assert response.status_code == 422
    assert AssemblyRules.of(Kind.ORDINARY).notice_days == 15


def test_a_put_without_a_rule_is_refused_and_leaves_every_rule_as_it_was(alice):
    """A PUT replaces every rule: one left out is a 422 naming it, not a silent default
    (a PUT without `minutes_public` used to unpublish the minutes)."""
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, minutes_public=True)
    body = {k: v for k, v in API_BODY.items() if k != "minutes_public"}
    response = call(bearer(alice.user), "PUT", "/assemblies/rules/ordinary", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "minutes_public"
    kept = AssemblyRules.of(Kind.ORDINARY)
    assert kept.minutes_public is True
    assert kept.notice_days == 15
