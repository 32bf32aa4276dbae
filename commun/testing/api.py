"""Calling the API in tests: a client holding a person's token, and JSON sent to a path."""

import json

from django.test import Client

from commun.accounts.models import ApiToken

API = "/api/v1"


def bearer(user) -> Client:
    """A client that authenticates with a fresh personal token of `user`."""
    # Made as from `user`'s login, which passed their second factor if they have one.
    _token, secret = ApiToken.issue(user, "tests", second_factor=user.has_second_factor)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def call(client: Client, method: str, path: str, body=None, **extra):
    """`method` on `API + path`, with `body` as JSON."""
    data = None if body is None else json.dumps(body)
    return getattr(client, method.lower())(
        API + path, data=data, content_type="application/json", **extra
    )


def documented_endpoints(tag: str) -> set[tuple[str, str]]:
    """The (method, path) pairs the OpenAPI document lists under `tag`, paths without API."""
    document = Client().get(f"{API}/openapi.json").json()
    return {
        (method.upper(), path.removeprefix(API))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if tag in operation.get("tags", [])
    }


def inline(schema, definitions: dict, depth: int = 0):
    """`schema` with every `$ref` replaced by its definition, titles dropped."""
    assert depth < 30, "a recursive schema"
    if isinstance(schema, list):
        return [inline(item, definitions, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return inline(definitions[name], definitions, depth + 1)
    return {
        key: inline(value, definitions, depth + 1)
        for key, value in schema.items()
        if key != "title"
    }


def answer_schema(document: dict, method: str, path: str, status="200") -> dict:
    """The schema the OpenAPI `document` gives for one answer of one operation, inlined."""
    responses = document["paths"][API + path][method]["responses"]
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    return inline(schema, document["components"]["schemas"])
