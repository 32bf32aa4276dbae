"""API v1: what each endpoint does, through personal tokens, with the web's rules."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from commun.accounts.models import User
from commun.api import api
from commun.conftest import category, client_for, make_member
from commun.members.models import (
    AdmissionRule,
    Application,
    Category,
    College,
    Cooperative,
    Member,
    Repayment,
    ShareMovement,
)
from commun.testing.api import API, call
from commun.testing.members import NEW_PASSWORD, application_body, structure_body

# Joining -----------------------------------------------------------------------------------


def test_a_visitor_applies_and_gets_an_account_like_on_the_web(
    coop, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = call(Client(), "POST", "/applications", application_body())

    assert response.status_code == 201, response.content
    data = response.json()
    assert (
        data["status"] == "pending" and data["shares"] == 3 and data["email"] == "zoe@example.org"
    )
    user = User.objects.get(email="zoe@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert user.emailaddress_set.get().verified is False
    assert Application.objects.get(pk=data["id"]).user == user
    assert any("zoe@example.org" in message.to for message in mailoutbox)


def test_an_account_applies_for_itself_without_email_or_password(callers, dan):
    body = application_body(email=None, password=None)

    response = call(callers["account"], "POST", "/applications", body)

    assert response.status_code == 201, response.content
    assert Application.objects.get(pk=response.json()["id"]).user == dan


def test_an_account_cannot_apply_with_another_email(callers):
    response = call(callers["account"], "POST", "/applications", application_body(password=None))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    assert not Application.objects.filter(email="zoe@example.org").exists()


def test_automatic_admission_admits_at_once(coop):
    Cooperative.objects.filter(pk=1).update(admission_rule=AdmissionRule.AUTOMATIC)

    response = call(Client(), "POST", "/applications", application_body())

    assert response.status_code == 201
    assert response.json()["status"] == "admitted" and response.json()["member_number"] == 1


def test_the_officers_admit_and_the_register_records_the_subscription(callers, carol):
    response = call(callers["officer"], "POST", f"/applications/{carol.pk}/admit")

    assert response.status_code == 200, response.content
    number = response.json()["member_number"]
    member = Member.objects.get(number=number)
    assert member.user == carol.user and member.status == Member.Status.ADMITTED
    assert member.movements.get().kind == ShareMovement.Kind.SUBSCRIPTION


def test_an_application_is_decided_once(callers, carol):
    officer = callers["officer"]
    assert call(officer, "POST", f"/applications/{carol.pk}/admit").status_code == 200

    again = call(officer, "POST", f"/applications/{carol.pk}/admit")
    refused = call(officer, "POST", f"/applications/{carol.pk}/refuse", {"reason": "Trop tard"})

    assert again.status_code == refused.status_code == 409
    assert again.json()["detail"] == "Cette candidature a déjà été traitée."
    assert Member.objects.filter(user=carol.user).count() == 1


def test_a_refusal_sends_its_reason(callers, carol, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            callers["officer"], "POST", f"/applications/{carol.pk}/refuse", {"reason": "Hors objet"}
        )

    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    assert response.json()["refusal_reason"] == "Hors objet"
    assert any("Hors objet" in message.body for message in mailoutbox)


def test_the_officers_filter_applications_by_status(callers, carol):
    response = call(callers["officer"], "GET", "/applications?status=pending")

    assert [item["id"] for item in response.json()["items"]] == [carol.pk]


def test_an_applicant_sees_only_their_own_applications(callers, carol):
    listed = call(callers["applicant"], "GET", "/applications").json()

    assert [item["id"] for item in listed["items"]] == [carol.pk]
    assert call(callers["account"], "GET", "/applications").json()["count"] == 0


# The cooperative and its structure ---------------------------------------------------------


def test_the_public_profile_counts_members_per_category(callers):
    data = call(Client(), "GET", "/cooperative").json()

    assert data["name"] == "Les Communs du Test"
    assert data["share_value_cents"] == 5000 and data["legal_form"] == "scic"
    assert data["member_count"] == 2
    counts = {item["name"]: item["active_members"] for item in data["categories"]}
    assert counts == {
        "Responsables et mainteneur·euses": 0,
        "Contributeur·ices": 1,
        "Partenaires et usager·es": 1,
    }


def test_an_officer_edits_the_profile(callers):
    response = call(
        callers["officer"],
        "PATCH",
        "/cooperative",
        {
            "name": "Les Communs",
            "admission_rule": "automatic",
            "statutes": "# Statuts",
            "silence_is_consent": True,
            "consent_quorum_percent": 30,
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["consent_quorum_percent"] == 30
    coop = Cooperative.get()
    assert coop.silence_is_consent and coop.consent_quorum_percent == 30
    assert (coop.name, coop.admission_rule, coop.statutes) == (
        "Les Communs",
        "automatic",
        "# Statuts",
    )
    assert coop.charter.startswith("# Charte")  # untouched: PATCH changes what it names


def test_the_share_value_is_fixed_once_the_register_is_open(callers):
    response = call(callers["officer"], "PATCH", "/cooperative", {"share_value_cents": 100})

    assert response.status_code == 422
    assert "registre ouvert" in response.json()["detail"][0]["msg"]
    assert Cooperative.get().share_value_cents == 5000


def test_an_officer_replaces_the_structure_in_one_call(callers):
    body = structure_body(callers["officer"])
    # Three colleges weigh 40/30/30; a fourth one needs the others to change at once.
    body["colleges"][0]["weight_percent"] = 30
    body["colleges"][1]["weight_percent"] = 20
    body["colleges"].append({"name": "Territoire", "weight_percent": 20})
    body["categories"].append({"name": "Collectivités", "college": "Territoire"})

    response = call(callers["officer"], "PUT", "/structure", body)

    assert response.status_code == 200, response.content
    territory = College.objects.get(name="Territoire")
    assert Category.objects.get(name="Collectivités").college == territory
    assert sorted(College.objects.values_list("weight_percent", flat=True)) == [20, 20, 30, 30]


def test_a_structure_that_breaks_the_statutes_is_refused_whole(callers):
    body = structure_body(callers["officer"])
    body["colleges"][0]["weight_percent"] = 60
    body["categories"].append({"name": "Nouvelle", "college": "Usager·es"})

    response = call(callers["officer"], "PUT", "/structure", body)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body"],
            "msg": "Dans une SCIC, chaque collège pèse entre 10 % et 50 %.",
            "type": "validation_error",
        }
    ]
    assert not Category.objects.filter(name="Nouvelle").exists()
    assert College.objects.get(position=1).weight_percent == 40


def test_a_category_with_members_is_not_removed(callers):
    body = structure_body(callers["officer"])
    body["categories"] = [c for c in body["categories"] if not c["name"].startswith("Partenaires")]
    body["categories"].append({"name": "Usager·es", "college": "Usager·es", "mandatory": True})

    response = call(callers["officer"], "PUT", "/structure", body)

    assert response.status_code == 422
    assert "ne peut pas être supprimée" in response.json()["detail"][0]["msg"]
    assert Category.objects.filter(name__startswith="Partenaires").exists()


def test_a_category_names_a_college_of_the_same_call(callers):
    body = structure_body(callers["officer"])
    body["categories"][0]["college"] = "Inconnu"

    response = call(callers["officer"], "PUT", "/structure", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "categories", 0, "college"]


# Members -----------------------------------------------------------------------------------


def test_the_directory_hides_who_chose_to_hide_from_other_members(callers, alice, bob):
    Member.objects.filter(pk=alice.pk).update(pseudonym="Alma")

    seen_by_bob = call(callers["member"], "GET", "/members").json()
    seen_by_alice = call(callers["officer"], "GET", "/members").json()

    assert {m["number"]: m["name"] for m in seen_by_bob["items"]} == {
        alice.number: "Alma",
        bob.number: "Bob Durand",
    }
    assert seen_by_alice["items"][1]["name"] == "Bob Durand"
    assert call(callers["member"], "GET", "/members?search=Martin").json()["count"] == 0
    assert call(callers["officer"], "GET", "/members?search=Martin").json()["count"] == 1


def test_the_directory_filters_by_category(callers, bob):
    response = call(callers["member"], "GET", f"/members?category={bob.category_id}")

    assert [m["number"] for m in response.json()["items"]] == [bob.number]


def test_a_member_sees_others_without_their_contact_details(callers, alice, bob):
    Member.objects.filter(pk=alice.pk).update(phone="06 00 00 00 00")

    other = call(callers["member"], "GET", f"/members/{alice.number}").json()
    own = call(callers["member"], "GET", f"/members/{bob.number}").json()
    by_officer = call(callers["officer"], "GET", f"/members/{bob.number}").json()

    assert other["phone"] is None and other["email"] is None and other["first_name"] is None
    assert other["shares_paid"] == 2
    assert own["email"] == "bob@example.org"
    assert by_officer["email"] == "bob@example.org"


def test_a_member_edits_their_profile(callers, bob):
    response = call(
        callers["member"],
        "PATCH",
        "/members/me",
        {"public_visibility": "pseudonym", "pseudonym": "Bobby", "bio": "Jardinier."},
    )

    assert response.status_code == 200, response.content
    bob.refresh_from_db()
    assert (bob.public_visibility, bob.pseudonym, bob.bio) == ("pseudonym", "Bobby", "Jardinier.")
    assert response.json()["pseudonym"] == "Bobby"


def test_a_member_resigns_and_a_repayment_is_scheduled(callers, bob):
    make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))

    response = call(callers["member"], "POST", "/members/me/resign")

    assert response.status_code == 201, response.content
    repayment = Repayment.objects.get(member=bob)
    assert response.json()["due_on"] == repayment.due_on.isoformat()
    assert response.json()["amount_cents"] == 5000
    assert call(callers["member"], "POST", "/members/me/resign").status_code == 409
    assert call(callers["member"], "GET", "/members/me").json()["repayment"]["shares"] == 1


def test_the_last_member_of_a_mandatory_category_cannot_resign(callers, bob):
    response = call(callers["member"], "POST", "/members/me/resign")

    assert response.status_code == 409
    assert "obligatoire" in response.json()["detail"]
    assert not Repayment.objects.exists()


# The register ------------------------------------------------------------------------------


def test_an_officer_records_a_payment_and_membership_becomes_effective(callers, carol):
    officer = callers["officer"]
    number = call(officer, "POST", f"/applications/{carol.pk}/admit").json()["member_number"]

    response = call(
        officer, "POST", "/register", {"kind": "payment", "member": number, "quantity": 1}
    )

    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "payment" and response.json()["member"] == number
    assert Member.objects.get(number=number).status == Member.Status.ACTIVE


def test_a_transfer_between_members(callers, alice, bob):
    response = call(
        callers["officer"],
        "POST",
        "/register",
        {
            "kind": "transfer",
            "member": alice.number,
            "counterpart": bob.number,
            "quantity": 1,
            "authorised_by": "Décision du 3 mars",
            "date": "2026-03-03",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["counterpart"] == bob.number
    assert response.json()["date"] == "2026-03-03"
    bob.refresh_from_db()
    assert bob.shares_paid == 2


def test_a_correction_reverses_a_movement(callers, bob):
    officer = callers["officer"]
    payment = bob.movements.get(kind="payment")

    response = call(
        officer,
        "POST",
        "/register",
        {"kind": "correction", "corrects": payment.number, "reason": "Virement rejeté"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["corrects"] == payment.number
    corrected = call(officer, "GET", f"/register/{payment.number}").json()
    assert corrected["corrected_by"] == response.json()["number"]
    bob.refresh_from_db()
    assert bob.shares_paid == 0


def test_a_transfer_can_be_corrected(callers, alice, bob):
    officer = callers["officer"]
    transfer = {"kind": "transfer", "member": alice.number, "counterpart": bob.number}
    number = call(
        officer, "POST", "/register", {**transfer, "quantity": 1, "authorised_by": "AG"}
    ).json()["number"]

    response = call(
        officer, "POST", "/register", {"kind": "correction", "corrects": number, "reason": "Non"}
    )

    assert response.status_code == 201


def test_the_register_filters_by_kind_and_member(callers, alice, bob):
    member = callers["member"]

    payments = call(member, "GET", "/register?kind=payment").json()
    of_bob = call(member, "GET", f"/register?member={bob.number}").json()

    assert {m["kind"] for m in payments["items"]} == {"payment"} and payments["count"] == 2
    assert {m["member"] for m in of_bob["items"]} == {bob.number} and of_bob["count"] == 2
    numbers = [m["number"] for m in call(member, "GET", "/register").json()["items"]]
    assert numbers == sorted(numbers, reverse=True)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/register/1", "/register"])
def test_the_register_cannot_be_edited_or_deleted_through_the_api(callers, method, path):
    before = list(ShareMovement.objects.values_list("number", "kind", "quantity", "member_id"))

    for client in callers.values():
        response = call(client, method, path, {"quantity": 99})
        assert response.status_code == 405
        assert "correction" in response.json()["detail"]
        assert "GET" in response["Allow"]

    after = list(ShareMovement.objects.values_list("number", "kind", "quantity", "member_id"))
    assert after == before


# Queries stay bounded ----------------------------------------------------------------------


@pytest.fixture
def crowd(alice, bob):
    """Ten more members, each with a subscription and a payment: N+1 would show."""
    for index in range(10):
        make_member(f"m{index}@example.org", "Membre", f"N{index}", category("Partenaires"))


@pytest.mark.parametrize(
    "path",
    [
        "/members",
        "/members?search=Membre",
        "/register",
        "/register?kind=payment",
        "/applications",
        "/categories",
        "/colleges",
        "/structure",
        "/cooperative",
        "/tokens",
    ],
)
def test_list_endpoints_make_a_bounded_number_of_queries(
    crowd, callers, path, django_assert_max_num_queries
):
    officer = callers["officer"]
    call(officer, "GET", path)  # the token's last use is written once a minute, not now
    with django_assert_max_num_queries(6):
        response = call(officer, "GET", path)
    assert response.status_code == 200
    if "items" in response.json():
        assert len(response.json()["items"]) >= 1


def test_the_whole_register_is_counted_by_its_last_number(crowd, callers):
    call(callers["member"], "GET", "/register")
    with CaptureQueriesContext(connection) as queries:
        response = call(callers["member"], "GET", "/register")

    assert response.json()["count"] == Cooperative.get().last_movement_number == 24
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert call(callers["member"], "GET", "/register?kind=payment").json()["count"] == 12


def test_a_page_is_capped_at_a_hundred_items(crowd, callers):
    response = call(callers["officer"], "GET", "/register?page_size=100")

    assert response.json()["count"] == 24
    assert len(response.json()["items"]) == 24
    assert call(callers["officer"], "GET", "/register?page_size=500").status_code == 422
    third = call(callers["officer"], "GET", "/register?page=3&page_size=10").json()
    assert [m["number"] for m in third["items"]] == [4, 3, 2, 1]


# OpenAPI and its documentation page --------------------------------------------------------


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_the_openapi_document_lists_every_path(db):
    response = Client().get(f"{API}/openapi.json")

    assert response.status_code == 200
    paths = set(response.json()["paths"])
    routes = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        for route in _routes(api.urls[0])
        if route not in ("", "openapi.json", "docs")
    }
    assert routes == paths
    assert {
        "/api/v1/cooperative",
        "/api/v1/categories",
        "/api/v1/colleges",
        "/api/v1/structure",
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/admit",
        "/api/v1/applications/{application_id}/refuse",
        "/api/v1/members",
        "/api/v1/members/me",
        "/api/v1/members/me/resign",
        "/api/v1/members/{number}",
        "/api/v1/register",
        "/api/v1/register/{number}",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    } <= paths
    assert "bearer" in json.dumps(response.json()["components"]["securitySchemes"]).lower()


def test_the_docs_page_loads_nothing_from_another_host(db):
    response = Client().get(f"{API}/docs")

    assert response.status_code == 200
    html = response.text
    assert not re.search(r"(?:https?:)?//(?!testserver)[\w.-]+", html.replace("/api/v1/", ""))
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    # Swagger UI's files, and our stylesheet that brings its colours to AA contrast.
    ours = ("/static/ninja/", "/static/commun/")
    assert assets and all(asset.startswith(ours) for asset in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    # Swagger UI's validator badge would call validator.swagger.io.
    assert '"validatorUrl": null' in html
    # Only external scripts (from our host), never inline code, under a strict policy.
    assert not re.search(r"<script(?![^>]*(?:src=|application/json))", html)
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy


def test_movement_dates_may_be_given_or_default_to_today(callers, bob):
    response = call(
        callers["officer"],
        "POST",
        "/register",
        {"kind": "subscription", "member": bob.number, "quantity": 2},
    )

    assert response.json()["date"] == timezone.localdate().isoformat()


def test_session_clients_of_the_web_read_the_api(bob):
    response = client_for(bob.user).get(f"{API}/members/me")

    assert response.status_code == 200
    assert response.json()["number"] == bob.number


def test_an_officer_sets_the_statutes_allocation_rule_through_the_api(callers):
    refused = call(
        callers["officer"],
        "PATCH",
        "/cooperative",
        {"profit_allocation": "interest_on_shares", "tmo_average_percent": "150"},
    )
    missing = call(
        callers["officer"], "PATCH", "/cooperative", {"profit_allocation": "interest_on_shares"}
    )
    done = call(
        callers["officer"],
        "PATCH",
        "/cooperative",
        {"profit_allocation": "interest_on_shares", "tmo_average_percent": "3.12"},
    )

    assert refused.status_code == 422
    assert missing.status_code == 422
    assert "art. 14" in missing.content.decode()
    assert done.status_code == 200, done.content
    assert done.json()["profit_allocation"] == "interest_on_shares"
    assert str(Cooperative.get().tmo_average_percent) == "3.12"
