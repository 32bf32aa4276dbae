"""Bad input through the API: a 400 or 422 naming the field, in the caller's language, and
nothing written — never a 500."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import translation

from commun.accounts.models import ApiToken, User
from commun.conftest import category, client_for
from commun.members.models import (
    Application,
    Category,
    College,
    Cooperative,
    Member,
    Repayment,
    ShareMovement,
)
from commun.testing.api import API, call
from commun.testing.members import application_body, structure_body


def rows() -> tuple[int, ...]:
    return (
        User.objects.count(),
        EmailAddress.objects.count(),
        Application.objects.count(),
        Member.objects.count(),
        ShareMovement.objects.count(),
        Repayment.objects.count(),
        Category.objects.count(),
        College.objects.count(),
        ApiToken.objects.count(),
    )


def snapshot():
    coop = Cooperative.get()
    return rows(), (coop.name, coop.share_value_cents, coop.capital_cents, coop.legal_form)


def errors_by_field(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in response.json()["detail"]:
        assert error["loc"][0] in ("body", "query", "path") and error["type"], error
        found.setdefault(".".join(map(str, error["loc"][1:])), []).append(error["msg"])
    return found


APPLICATION_CASES = [
    pytest.param(
        {"shares": -3}, "shares", "La valeur doit être supérieure ou égale à 1.", id="negative"
    ),
    pytest.param(
        {"shares": 10**12},
        "shares",
        "La valeur doit être inférieure ou égale à 1000000.",
        id="huge",
    ),
    pytest.param(
        {"shares": "beaucoup"}, "shares", "Saisissez un nombre entier.", id="not-a-number"
    ),
    pytest.param(
        {"category": 999}, "category", "Choisissez une des catégories proposées.", id="no-category"
    ),
    pytest.param(
        {"consents_to_charter": None},
        "consents_to_charter",
        "Adhérer à la charte est nécessaire pour rejoindre.",
        id="missing-consent",
    ),
    pytest.param(
        {"consents_to_privacy": False},
        "consents_to_privacy",
        "Accepter la politique de confidentialité est nécessaire pour rejoindre.",
        id="refused-privacy",
    ),
    pytest.param(
        {"first_name": None}, "first_name", "Ce champ est obligatoire.", id="missing-name"
    ),
    pytest.param({"bogus": 1}, "bogus", "Ce champ n'existe pas.", id="unknown-field"),
    pytest.param(
        {"email": "pas-une-adresse"},
        "email",
        "Cette adresse e-mail n'est pas valide (exemple : nom@exemple.fr).",
        id="bad-email",
    ),
    pytest.param(
        {"password": "motdepasse"},
        "password",
        "Ce mot de passe est trop courant.",
        id="common-password",
    ),
    pytest.param(
        {"kind": "robot"},
        "kind",
        "Valeur inconnue : choisissez parmi 'person', 'organisation'.",
        id="unknown-kind",
    ),
]


@pytest.mark.parametrize("change, field, message", APPLICATION_CASES)
def test_a_bad_application_names_its_field_in_french_and_writes_nothing(
    coop, change, field, message
):
    before = snapshot()

    response = call(Client(), "POST", "/applications", application_body(**change))

    assert response.status_code == 422, response.content
    assert message in errors_by_field(response)[field]
    assert snapshot() == before


def test_shares_under_the_category_minimum_are_refused(coop):
    before = snapshot()
    body = application_body(category=category("Responsables").pk, shares=1)

    response = call(Client(), "POST", "/applications", body)

    assert response.status_code == 422
    assert errors_by_field(response)["shares"] == [
        "La catégorie « Responsables et mainteneur·euses » demande au moins 2 parts."
    ]
    assert snapshot() == before


def test_an_existing_email_is_refused_like_on_the_web(bob):
    before = snapshot()

    response = call(Client(), "POST", "/applications", application_body(email="BOB@example.org"))

    assert response.status_code == 422
    assert "connectez-vous" in errors_by_field(response)["email"][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [b'{"first_name": "Zo', b"\xff\xfe\x00", b"first_name=Zoe", b'{"a": 1}}'],
    ids=["truncated", "not-utf8", "form-encoded", "trailing-brace"],
)
def test_malformed_json_is_a_400_with_a_clear_message(coop, body):
    before = snapshot()

    response = Client().post(f"{API}/applications", data=body, content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert snapshot() == before


def test_a_body_that_is_not_an_object_is_refused(coop):
    response = call(Client(), "POST", "/applications", [1, 2])

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Saisissez un objet JSON."


def test_script_tags_in_names_are_kept_as_plain_text_and_escaped_on_the_web(callers, alice, bob):
    name = '<script>alert("x")</script>'
    response = call(
        Client(), "POST", "/applications", application_body(first_name=name, last_name="<b>B</b>")
    )
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["first_name"] == name  # plain text, never interpreted as HTML

    officer = callers["officer"]
    number = call(officer, "POST", f"/applications/{response.json()['id']}/admit").json()[
        "member_number"
    ]
    payment = {"kind": "payment", "member": number, "quantity": 3}
    assert call(officer, "POST", "/register", payment).status_code == 201
    Member.objects.filter(number=number).update(public_visibility="name")

    listed = call(callers["member"], "GET", f"/members?search={number}").json()
    assert listed["items"][0]["name"] == f"{name} <b>B</b>"
    page = client_for(bob.user).get("/associes/", {"q": str(number)})
    assert page.status_code == 200
    assert name not in page.text and "<b>B</b>" not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text


# Officers' input ---------------------------------------------------------------------------

MOVEMENT_CASES = [
    pytest.param(
        {"kind": "payment", "member": 2, "quantity": 0},
        "quantity",
        "La valeur doit être supérieure ou égale à 1.",
        id="zero",
    ),
    pytest.param(
        {"kind": "subscription", "member": 2, "quantity": 10**12},
        "quantity",
        "La valeur doit être inférieure ou égale à 1000000.",
        id="huge",
    ),
    pytest.param(
        {"kind": "payment", "member": 999, "quantity": 1},
        "member",
        "Aucun·e associé·e ne porte le numéro 999.",
        id="no-such-member",
    ),
    pytest.param(
        {"kind": "payment", "member": 2, "quantity": 5},
        "quantity",
        "n°2 Bob Durand n'a aucune part à libérer.",
        id="more-than-subscribed",
    ),
    pytest.param(
        {"kind": "repayment", "member": 2, "quantity": 1},
        "kind",
        "Valeur inconnue : choisissez parmi 'subscription', 'payment', 'transfer', "
        "'cancellation', 'correction'.",
        id="repayment-is-not-recorded-by-hand",
    ),
    pytest.param(
        {"kind": "transfer", "member": 1, "quantity": 1, "authorised_by": "AG"},
        "counterpart",
        "Ce champ est obligatoire.",
        id="transfer-without-counterpart",
    ),
    pytest.param(
        {"kind": "transfer", "member": 1, "counterpart": 1, "quantity": 1, "authorised_by": "AG"},
        "counterpart",
        "On ne cède pas de parts à soi-même.",
        id="transfer-to-oneself",
    ),
    pytest.param(
        {"kind": "payment", "member": 2, "quantity": 1, "counterpart": 1},
        "counterpart",
        "Ce champ ne s'applique pas à ce mouvement.",
        id="field-of-another-kind",
    ),
    pytest.param(
        {"kind": "correction", "corrects": 2},
        "reason",
        "Une correction doit être motivée.",
        id="correction-without-reason",
    ),
    pytest.param(
        {"kind": "correction", "corrects": 999, "reason": "Erreur"},
        "corrects",
        "Le registre n'a pas de mouvement n°999.",
        id="correction-of-nothing",
    ),
    pytest.param(
        {"kind": "payment", "member": 2, "quantity": 1, "date": "2026-02-30"},
        "date",
        "Saisissez une date au format AAAA-MM-JJ.",
        id="impossible-date",
    ),
    pytest.param(
        {"kind": "payment", "member": 2, "quantity": 1, "date": "2999-01-01"},
        "date",
        "Un mouvement ne peut pas être daté dans le futur.",
        id="future-date",
    ),
]


@pytest.mark.parametrize("body, field, message", MOVEMENT_CASES)
def test_a_bad_movement_is_refused_and_the_register_is_untouched(
    callers, alice, bob, body, field, message
):
    assert (alice.number, bob.number) == (1, 2)
    before = snapshot()

    response = call(callers["officer"], "POST", "/register", body)

    assert response.status_code == 422, response.content
    assert message in errors_by_field(response)[field]
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": ""}, "name", "Ce champ est obligatoire."),
        ({"name": "x" * 201}, "name", "Ce texte ne doit pas dépasser 200 caractères."),
        ({"share_value_cents": 0}, "share_value_cents",
         "La valeur doit être supérieure ou égale à 1."),
        ({"legal_form": "sarl"}, "legal_form", "Valeur inconnue : choisissez parmi 'scic', "
         "'scop', 'association', 'cooperative'."),
        ({"contact_email": "nulle part"}, "contact_email",
         "Saisissez une adresse de courriel valide."),
        ({"repayment_delay_months": 121}, "repayment_delay_months",
         "La valeur doit être inférieure ou égale à 120."),
        ({"capital_cents": 10**9}, "capital_cents", "Ce champ n'existe pas."),
    ],
)  # fmt: skip
def test_a_bad_profile_is_refused_whole(callers, change, field, message):
    before = snapshot()

    response = call(callers["officer"], "PATCH", "/cooperative", {"name": "Changé", **change})

    assert response.status_code == 422, response.content
    assert message in errors_by_field(response)[field]
    assert snapshot() == before


def test_a_structure_with_too_few_categories_is_refused(callers):
    body = structure_body(callers["officer"])
    body["categories"] = body["categories"][1:]
    before = snapshot()

    response = call(callers["officer"], "PUT", "/structure", body)

    assert response.status_code == 422
    assert errors_by_field(response)[""] == ["Il faut au moins trois catégories d'associé·es."]
    assert snapshot() == before


def test_a_structure_error_points_into_the_lists(callers):
    body = structure_body(callers["officer"])
    body["colleges"][1]["name"] = body["colleges"][0]["name"]
    body["categories"][2]["min_shares"] = 0
    before = snapshot()

    response = call(callers["officer"], "PUT", "/structure", body)

    assert response.status_code == 422
    assert "categories.2.min_shares" in errors_by_field(response)
    assert snapshot() == before


def test_a_refusal_needs_a_reason(callers, carol):
    before = snapshot()

    response = call(callers["officer"], "POST", f"/applications/{carol.pk}/refuse", {"reason": " "})

    assert response.status_code == 422
    assert errors_by_field(response) == {"reason": ["Un refus doit être motivé."]}
    assert snapshot() == before
    carol.refresh_from_db()
    assert carol.status == Application.Status.PENDING


def test_a_pseudonym_is_needed_to_be_shown_by_it(callers, bob):
    response = call(callers["member"], "PATCH", "/members/me", {"public_visibility": "pseudonym"})

    assert response.status_code == 422
    assert errors_by_field(response) == {
        "pseudonym": ["Choisissez un pseudonyme pour être montré·e sous ce nom."]
    }
    bob.refresh_from_db()
    assert bob.public_visibility == "hidden"


@pytest.mark.parametrize(
    "path",
    [
        "/members/99999999999999999999",
        "/register/-1",
        "/applications/abc",
        "/register?page=0",
        "/register?page=99999999999999999999",
        "/register?member=99999999999999999999",
        "/members?category=-4",
        "/register?kind=gift",
        "/applications?status=lost",
    ],
)
def test_absurd_identifiers_are_refused_before_reaching_the_database(callers, path):
    response = call(callers["officer"], "GET", path)

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] in ("path", "query")


def test_a_missing_object_is_a_404_in_json(callers):
    for path in ["/members/999", "/register/999", "/applications/999"]:
        response = call(callers["officer"], "GET", path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Introuvable."}


# Languages ---------------------------------------------------------------------------------


def english(message: str) -> str:
    with translation.override("en"):
        return translation.gettext(message)


@pytest.mark.parametrize(
    "extra, query",
    [({"HTTP_ACCEPT_LANGUAGE": "en"}, ""), ({}, "?lang=en")],
    ids=["header", "query"],
)
def test_errors_follow_the_callers_language(coop, extra, query):
    body = application_body(bogus=1, password="123")
    before = snapshot()

    response = call(Client(), "POST", f"/applications{query}", body, **extra)

    assert response.status_code == 422
    assert response["Content-Language"] == "en"
    assert errors_by_field(response)["bogus"] == [english("Ce champ n'existe pas.")]
    assert snapshot() == before

    response = call(Client(), "POST", f"/applications{query}", application_body(password="123"),
                    **extra)  # fmt: skip
    assert "This password is too short." in errors_by_field(response)["password"][0]


def test_errors_are_french_by_default(coop):
    response = call(Client(), "POST", "/applications", application_body(password="123"))

    assert response["Content-Language"] == "fr"
    assert "Ce mot de passe est trop court." in errors_by_field(response)["password"][0]


def test_a_body_too_large_is_a_413(coop, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = snapshot()

    response = call(Client(), "POST", "/applications", application_body(motivation="x" * 2000))

    assert response.status_code == 413
    assert response.json()["detail"] == "Le corps de la requête est trop volumineux."
    assert snapshot() == before
