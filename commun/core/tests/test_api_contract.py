"""The API keeps the contract its OpenAPI document states, checked by Schemathesis.

Every operation of /api/v1/openapi.json is called with generated input, valid and invalid,
as a member (Bob) and as an officer (Alice), on a small cooperative where ids resolve:
no answer may be a server error, an undocumented status code, or a body that does not
match its documented schema. Each call runs in a savepoint rolled back afterwards, so
every case meets the same cooperative, and even self-destructive calls (erasing oneself,
revoking one's own token, resigning) are fuzzed like the others: nothing is excluded.
"""

import logging
import time
from collections import Counter
from itertools import product

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commun.accounts.models import ApiToken
from commun.testing.budgets import invoice
from commun.testing.upstream import fill_fund

API = "/api/v1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation, role and mode: ~100 operations × 2 roles × (positive + negative).
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2}


def token_for(user) -> str:
    """The one place that makes a caller's token (officers' token rules may change)."""
    _token, secret = ApiToken.issue(user, "Contrat d'API", second_factor=user.has_second_factor)
    return secret


def send(secret: str, method: str, path: str, body=None) -> dict:
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    response = client.generic(
        method,
        API + path,
        data="" if body is None else _json(body),
        content_type="application/json",
    )
    assert response.status_code < 300, (path, response.status_code, response.content[:500])
    return response.json() if response.content else {}


def _json(body) -> str:
    import json

    return json.dumps(body)


@pytest.fixture
def world(alice, bob, carol, dan) -> dict:
    """A cooperative with one of everything, made through the API itself; returns the
    callers' tokens and, per path parameter, the values that name a real object."""
    officer, member = token_for(alice.user), token_for(bob.user)
    space = send(member, "GET", "/spaces")[0]["slug"]
    thread = send(member, "POST", f"/spaces/{space}/threads", {"title": "Fil", "body": "Texte"})
    comment = send(member, "POST", f"/threads/{thread['id']}/comments", {"body": "Oui."})
    circle = send(member, "POST", "/circles", {"name": "Cercle du jardin"})
    consent = send(
        member,
        "POST",
        f"/threads/{thread['id']}/decisions",
        {"title": "Proposition", "body": "On plante.", "min_deliberation_days": 0},
    )
    send(member, "POST", f"/decisions/{consent['id']}/open")
    secret_vote = send(
        member,
        "POST",
        f"/threads/{thread['id']}/decisions",
        {"kind": "yes_no", "is_secret": True, "title": "Élection", "body": "Pour ou contre ?"},
    )
    send(member, "POST", f"/decisions/{secret_vote['id']}/open")
    send(member, "POST", f"/decisions/{secret_vote['id']}/ballots", {"choice": "yes"})
    need = send(member, "POST", "/needs", {"title": "Besoin", "description": "Un besoin."})
    mission_body = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in invoice(1000).items()
    }
    mission = send(member, "POST", "/missions", mission_body | {"need_id": need["id"]})
    income = {"date": "2026-03-01", "label": "Facture", "nature": "706", "amount_cents": 1200}
    income["idempotency_key"] = "contrat"
    transaction_ = send(officer, "POST", "/ledger/income", income)
    project = send(
        officer,
        "POST",
        "/upstream/projects",
        {"name": "Django", "url": "https://www.djangoproject.com/", "used_for": "Tout."},
    )
    send(
        officer,
        "POST",
        "/upstream/projects",
        {"name": "htmx", "url": "https://htmx.org/", "used_for": "Les pages."},
    )
    fill_fund(10_000)  # the commons fund, as a year's close fills it
    split = send(officer, "POST", "/upstream/splits", {"amount_cents": 1000, "days": 7})
    gift = send(
        officer,
        "POST",
        "/upstream/gifts",
        {"project": project["id"], "amount_cents": 500, "reference": "AG"},
    )
    tokens = ApiToken.objects.filter(user__in=[alice.user, bob.user])
    ids = {
        "application_id": [carol.pk, bob.application.pk],
        "number": [1, 2, bob.number],
        "token_id": list(tokens.values_list("pk", flat=True)),
        "slug": [space, circle["slug"]],
        "thread_id": [thread["id"]],
        "comment_id": [comment["id"]],
        "decision_id": [consent["id"], secret_vote["id"]],
        "objection_id": [1],
        "need_id": [need["id"]],
        "mission_id": [mission["id"]],
        "payment_id": [1],
        "code": ["512", "706", "1068-DISPO"],
        "year": [2025, 2026],
        "project_id": [project["id"]],
        "split_id": [split["id"]],
        "gift_id": [gift["id"]],
    }
    assert transaction_["number"] >= 1
    return {"member": member, "officer": officer, "ids": ids}


@pytest.fixture
def app():
    """Django's WSGI handler, within the test's transaction: Django's test client also
    keeps the end of a request from closing the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def strategy(operation, mode, ids):
    """Generated cases, half of them with path parameters that name real objects."""
    names = [p.name for p in operation.path_parameters]
    generated = operation.as_strategy(generation_mode=mode)
    known = [ids.get(name) for name in names]
    if not names or None in known:
        return generated
    combos = [dict(zip(names, values, strict=True)) for values in product(*known)]
    real = st.sampled_from(combos).flatmap(
        lambda params: operation.as_strategy(generation_mode=mode, path_parameters=params)
    )
    return st.one_of(generated, real)


def run(operation, mode, secret, ids, counts) -> str | None:
    """Fuzz one operation; the first failure's report, or None."""
    headers = {"Authorization": f"Bearer {secret}"}

    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(operation, mode, ids))
    def fuzz(case):
        counts[operation.label] += 1
        # Each case meets the same cooperative, whatever the previous one did.
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        fuzz()
    except Unsatisfiable:
        # Negative mode on an operation whose input accepts anything: nothing to break.
        assert mode == GenerationMode.NEGATIVE, operation.label
    except (Exception, BaseExceptionGroup) as failure:  # reported once all have run
        return f"{operation.label} ({mode}): {failure}"
    return None


@pytest.mark.parametrize("role", ["member", "officer"])
def test_every_operation_keeps_the_documented_contract(world, app, role, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # thousands of 4xx, on purpose
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 100
    counts, failures = Counter(), []
    started = time.monotonic()
    for operation in operations:
        for mode in EXAMPLES:
            failure = run(operation, mode, world[role], world["ids"], counts)
            if failure:
                failures.append(failure)
    elapsed = time.monotonic() - started
    print(f"{role}: {len(operations)} operations, {sum(counts.values())} cases, {elapsed:.0f} s")
    assert not failures, "\n\n".join(failures)
