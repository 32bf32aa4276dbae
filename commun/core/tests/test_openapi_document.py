"""The OpenAPI document describes the API as it is: each operation's own models, enums with
the values the API sends, public endpoints usable without a token, and the errors each can
answer. Schemathesis then checks real answers against it (test_api_contract.py)."""

import copy

import pytest
from django.test import Client
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema

from commun.accounts.models import ApiToken
from commun.api import api
from commun.api_auth import public
from commun.members.models import ShareMovement, Visibility
from commun.testing.api import answer_schema, inline

API = "/api/v1"


@pytest.fixture
def document(db) -> dict:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations():
    """(method, path, ninja operation) for every operation of the API."""
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    full = "/" + "/".join(p.strip("/") for p in (API, router.prefix, path) if p)
                    yield method.lower(), full.rstrip("/"), operation


def own_schema(model, mode: str, by_alias: bool = True) -> dict:
    """What a ninja parameter model says of its single field, all references inlined."""
    schema = copy.deepcopy(
        model.model_json_schema(
            ref_template=REF_TEMPLATE,
            schema_generator=NinjaGenerateJsonSchema,
            mode=mode,
            by_alias=by_alias,
        )
    )
    (field,) = schema["properties"].values()
    return inline(field, schema.get("$defs", {}))


def test_every_body_is_documented_with_its_own_model(document):
    """Two models of the same name used to collapse into one: `close` and `withdraw` of a
    decision showed the body of a year's close and of a mission's withdrawal."""
    components = document["components"]["schemas"]
    wrong = []
    for method, path, operation in operations():
        for model in operation.models:
            if model.__ninja_param_source__ != "body":
                continue
            documented = document["paths"][path][method]["requestBody"]["content"]
            actual = inline(documented["application/json"]["schema"], components)
            if actual != own_schema(model, "validation"):
                wrong.append(f"{method.upper()} {path}")
    assert wrong == []


def test_every_answer_is_documented_with_its_own_model(document):
    components = document["components"]["schemas"]
    wrong = []
    for method, path, operation in operations():
        for status, model in operation.response_models.items():
            if model is None or not hasattr(model, "model_json_schema"):
                continue
            content = document["paths"][path][method]["responses"][str(status)].get("content")
            if content is None or "application/json" not in content:
                continue
            actual = inline(content["application/json"]["schema"], components)
            if actual != own_schema(model, "serialization", operation.by_alias):
                wrong.append(f"{method.upper()} {path} {status}")
    assert wrong == []


def test_close_and_withdraw_document_their_own_fields(document):
    components = document["components"]["schemas"]

    def body_fields(path):
        content = document["paths"][API + path]["post"]["requestBody"]["content"]
        schema = inline(content["application/json"]["schema"], components)
        schema = next(s for s in schema.get("anyOf", [schema]) if s.get("type") == "object")
        return set(schema["properties"])

    assert body_fields("/decisions/{decision_id}/close") == {"statement", "review_on"}
    assert body_fields("/decisions/{decision_id}/withdraw") == {"statement"}
    assert body_fields("/missions/{mission_id}/withdraw") == {"reason"}
    assert body_fields("/ledger/years/{year}/close") == {"allocation", "decision_reference"}


def enum_of(schema: dict) -> set:
    """The enum of a property that may also be null."""
    values = set(schema.get("enum", []))
    for option in schema.get("anyOf", []):
        values |= set(option.get("enum", []))
    return values


def test_register_kinds_are_those_the_register_sends(document, alice, bob):
    item = answer_schema(document, "get", "/register")["properties"]["items"]["items"]
    assert enum_of(item["properties"]["kind"]) == set(ShareMovement.Kind.values)

    _token, secret = ApiToken.issue(bob.user, "tests")
    sent = Client(headers={"Authorization": f"Bearer {secret}"}).get(f"{API}/register").json()
    assert {row["kind"] for row in sent["items"]} <= set(ShareMovement.Kind.values)


def test_a_members_public_visibility_is_one_of_the_members_choices(document, bob):
    detail = answer_schema(document, "get", "/members/me")
    assert enum_of(detail["properties"]["public_visibility"]) == set(Visibility.values)

    _token, secret = ApiToken.issue(bob.user, "tests")
    me = Client(headers={"Authorization": f"Bearer {secret}"}).get(f"{API}/members/me").json()
    assert me["public_visibility"] in Visibility.values


def test_public_endpoints_say_a_token_is_optional(document):
    """A visitor calls them without a token: `{}` among the requirements says so."""
    wrong = []
    for method, path, operation in operations():
        security = document["paths"][path][method].get("security")
        if public in operation.auth_callbacks:
            if security is not None and {} not in security:
                wrong.append(f"{method.upper()} {path}")
        elif not security or {} in security:
            wrong.append(f"{method.upper()} {path} (needs a token)")
    assert wrong == []
    assert sum(public in operation.auth_callbacks for *_m, operation in operations()) >= 25


def test_every_operation_documents_the_errors_it_may_answer(document):
    """401 (a revoked token is refused even on a public endpoint), 403, and 422 wherever
    there is input; each with the shape the error handlers send."""
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail"}
    missing = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if path.endswith("/openapi.json"):
                continue
            expected = {"401", "403"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                expected.add("404")
            if operation.get("requestBody"):
                expected |= {"400", "413"}
            absent = expected - set(operation["responses"])
            if absent:
                missing.append(f"{method.upper()} {path}: {sorted(absent)}")
    assert missing == []
