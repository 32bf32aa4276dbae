"""No NUL nor other control character gets past the API's edge: a 422 on the field, not a 500.

PostgreSQL cannot store a NUL, so before the check each of these answered 500 there (and
stored the text on SQLite). The first tests replay the security review's findings; the
walks then send such text in every string field of every write operation of the OpenAPI
document, and in every string query and path parameter, as an officer.
"""

import pytest
from django.test import Client

from commun.testing.api import API, bearer, call
from commun.testing.decisions import in_objection_round, thread_for
from commun.testing.members import CONTROL_CHARACTER_MESSAGE as MESSAGE
from commun.testing.members import every_row_count as rows

BAD = ("a\x00b", "a\x07b")  # NUL, and bell for the others (commun/lib/tests)


def refused_on(response, loc: list, *types: str) -> bool:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    errors = response.json()["detail"]
    return any(e["loc"] == loc and e["type"] in ("control_character", *types) for e in errors)


@pytest.fixture
def officer(alice):
    return bearer(alice.user)


def _findings(alice):
    """The review's list: (method, path, body or None, the loc of the refusal)."""
    thread = thread_for(alice)
    decision = in_objection_round(alice)
    return [
        ("GET", "/search?q=a%00b", None, ["query", "q"]),
        ("GET", "/ledger/accounts/51%00", None, ["path", "code"]),
        ("POST", "/needs", {"title": "a\x00b", "description": "Un besoin."}, ["body", "title"]),
        ("POST", f"/threads/{thread.pk}/comments", {"body": "a\x00b"}, ["body", "body"]),
        (
            "POST",
            f"/threads/{thread.pk}/decisions",
            {"title": "Un titre", "body": "a\x00b", "min_deliberation_days": 0},
            ["body", "body"],
        ),
        (
            "PUT",
            f"/decisions/{decision.pk}/stance",
            {"choice": "objection", "reason": "a\x00b"},
            ["body", "reason"],
        ),
        (
            "POST",
            "/ledger/income",
            {
                "date": "2026-03-01",
                "label": "a\x00b",
                "nature": "706",
                "amount_cents": 1000,
                "idempotency_key": "nul-1",
            },
            ["body", "label"],
        ),
    ]


def test_the_reviews_nul_characters_are_refused_on_their_field(alice, officer):
    for method, path, body, loc in _findings(alice):
        before = rows()
        response = call(officer, method, path, body)
        assert refused_on(response, loc), (path, response.json())
        assert MESSAGE in {e["msg"] for e in response.json()["detail"]}
        assert rows() == before, path


def test_the_refusal_speaks_the_callers_language(alice, officer):
    response = officer.get(f"{API}/search?q=a%00b&lang=en")
    assert response.json()["detail"] == [
        {
            "loc": ["query", "q"],
            "msg": "This text contains a forbidden control character.",
            "type": "control_character",
        }
    ]


def test_tab_newline_and_carriage_return_stay_allowed(alice, officer):
    thread = thread_for(alice)
    response = call(
        officer, "POST", f"/threads/{thread.pk}/comments", {"body": "Un\ttexte\r\nsur deux"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_bank_statement_with_a_nul_is_refused_with_its_line(alice, officer, dry_run):
    statement = "date;libellé;montant;compte\n01/03/2026;Cotisation;10,00;706\n"
    statement += "02/03/2026;Don\x00anonyme;5,00;706\n"
    before = rows()
    response = officer.post(
        f"{API}/ledger/imports?dry_run={str(dry_run).lower()}",
        data=statement,
        content_type="text/csv",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "csv", 3],
            "msg": "la ligne contient un caractère de contrôle interdit (NUL ou autre).",
            "type": "bank_line",
        }
    ]
    assert rows() == before


# The walks -----------------------------------------------------------------------------------


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            choices = [s for s in schema[key] if s.get("type") != "null"]
            if len(choices) == 1:
                return _resolve(document, choices[0])
    return schema


def _free_text(schema: dict) -> bool:
    """A choice or a date refuses such text before it is read as text: a 422 all the same."""
    return not ({"enum", "const", "format", "pattern"} & schema.keys())


def _texts(document: dict, schema: dict, depth: int = 0):
    """(loc below the body, a body holding `bad` there) for each string field, however deep."""
    schema = _resolve(document, schema)
    if depth > 4:
        return
    if schema.get("type") == "string":
        yield [], lambda bad: bad, _free_text(schema)
    elif schema.get("type") == "array" and "items" in schema:
        for loc, build, ours in _texts(document, schema["items"], depth + 1):
            yield [0, *loc], lambda bad, build=build: [build(bad)], ours
    elif schema.get("type") == "object" or "properties" in schema:
        for name, field in schema.get("properties", {}).items():
            for loc, build, ours in _texts(document, field, depth + 1):
                yield [name, *loc], lambda bad, name=name, build=build: {name: build(bad)}, ours


def _operations(client: Client):
    document = client.get(f"{API}/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield document, path.removeprefix("/api/v1"), method.upper(), operation


def _path_values(document: dict, operation: dict) -> dict:
    return {
        p["name"]: "1" if _resolve(document, p["schema"]).get("type") == "integer" else "x"
        for p in operation.get("parameters", [])
        if p["in"] == "path"
    }


def test_every_write_operation_refuses_control_characters_in_every_text_field(alice, officer):
    tried = 0
    for document, path, method, operation in _operations(officer):
        if method not in ("POST", "PUT", "PATCH", "DELETE"):
            continue
        url = path.format(**_path_values(document, operation))
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            for loc, build, ours in _texts(document, content["schema"]):
                for bad in BAD:
                    before = rows()
                    if media == "application/json":
                        response = call(officer, method, url, build(bad))
                    else:
                        response = getattr(officer, method.lower())(
                            API + url, data=build(bad), content_type=media
                        )
                    where = (method, path, media, loc, repr(bad))
                    assert 400 <= response.status_code < 500, (*where, response.status_code)
                    assert rows() == before, where
                    if ours and media == "application/json" and loc[:1] != ["csv"]:
                        # Two apps' schemas of one name (WithdrawIn) share one entry of the
                        # document, so a field may be another's: unknown here, refused too.
                        assert refused_on(response, ["body", *loc], "extra_forbidden"), (
                            *where,
                            response.json(),
                        )
                    tried += 1
    assert tried > 100  # the walk did reach the operations


def test_every_text_parameter_refuses_control_characters(alice, officer):
    tried = 0
    for document, path, method, operation in _operations(officer):
        for parameter in operation.get("parameters", []):
            schema = _resolve(document, parameter["schema"])
            if schema.get("type") != "string":
                continue
            name, where = parameter["name"], parameter["in"]
            values = _path_values(document, operation)
            if where == "path":
                values[name] = "a%00b"
                url = path.format(**values)
            else:
                url = path.format(**values) + f"?{name}=a%07b"
            before = rows()
            response = getattr(officer, method.lower())(API + url)
            assert 400 <= response.status_code < 500, (method, url, response.status_code)
            assert rows() == before, (method, url)
            if _free_text(schema):
                assert refused_on(response, [where, name]), (method, url, response.json())
            tried += 1
    assert tried > 10
