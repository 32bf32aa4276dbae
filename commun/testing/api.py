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
