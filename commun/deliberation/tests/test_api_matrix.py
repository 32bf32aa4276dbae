"""Every deliberation endpoint × every role, on a college's private space.

Gus opened a thread in the users' college space, readable by that college only: Bob
(users' college) reads and writes there; everyone else is told it does not exist (404),
a visitor that they must authenticate to write (401). Not being the author is 403.
"""

import pytest
from django.test import Client

from commun.conftest import client_for
from commun.deliberation.models import Space
from commun.testing.api import documented_endpoints

ROLES = ["visitor", "account", "other_college", "member", "circle_member", "officer"]
HIDDEN = (404, 404, 404, 200, 404, 404)

MATRIX = [
    ("GET", "/spaces", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/spaces/{slug}", None, HIDDEN),
    ("GET", "/spaces/{slug}/threads", None, HIDDEN),
    ("POST", "/spaces/{slug}/threads", {"title": "T", "body": "B"}, (401, 404, 404, 201, 404, 404)),
    ("GET", "/threads/{thread_id}", None, HIDDEN),
    ("POST", "/threads/{thread_id}/read", None, (401, 404, 404, 204, 404, 404)),
    ("PUT", "/threads/{thread_id}/subscription", None, (401, 404, 404, 200, 404, 404)),
    ("DELETE", "/threads/{thread_id}/subscription", None, (401, 404, 404, 200, 404, 404)),
    ("POST", "/threads/{thread_id}/comments", {"body": "Oui"}, (401, 404, 404, 201, 404, 404)),
    ("GET", "/comments/{comment_id}", None, HIDDEN),
    ("PATCH", "/comments/{comment_id}", {"body": "Changé"}, (401, 404, 404, 403, 404, 404)),
    ("GET", "/comments/{comment_id}/revisions", None, HIDDEN),
    ("POST", "/comments/{comment_id}/reactions", {"kind": "agree"}, (401, 404, 404, 200, 404, 404)),
    ("GET", "/notifications", None, (401, 403, 200, 200, 200, 200)),
    ("POST", "/notifications/read", {}, (401, 403, 200, 200, 200, 200)),
    ("GET", "/notifications/preference", None, (401, 403, 200, 200, 200, 200)),
    ("PUT", "/notifications/preference", {"email": "none"}, (401, 403, 200, 200, 200, 200)),
    ("GET", "/search", None, (200, 200, 200, 200, 200, 200)),
    ("GET", "/circles", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/circles", {"name": "Cercle de {role}"}, (401, 403, 201, 201, 201, 201)),
    ("GET", "/circles/{circle}", None, (200, 200, 200, 200, 200, 200)),
    ("PUT", "/circles/{circle}/membership", None, (401, 403, 200, 200, 200, 200)),
    ("DELETE", "/circles/{circle}/membership", None, (401, 403, 200, 200, 200, 200)),
]


@pytest.fixture
def private_thread(gus, users_space):
    Space.objects.filter(pk=users_space.pk).update(visibility="college")
    users_space.refresh_from_db()
    return users_space.start_thread(gus, "Entre usager·es", "Premier message")


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX],
)
def test_permission_matrix(world, garden, private_thread, method, path, body, expected):
    values = {
        "slug": private_thread.space.slug,
        "thread_id": private_thread.pk,
        "comment_id": private_thread.comments.get(parent=None).pk,
        "circle": garden.slug,
    }
    url = "/api/v1" + path.format(**values)
    if path == "/search":
        url += "?q=message"
    statuses = []
    for role in ROLES:
        client: Client = world[role]
        payload = body
        if isinstance(body, dict):
            payload = {
                k: (v.format(role=role) if isinstance(v, str) else v) for k, v in body.items()
            }
        kwargs = {"content_type": "application/json"}
        if payload is not None:
            kwargs["data"] = payload
        statuses.append(getattr(client, method.lower())(url, **kwargs).status_code)
    assert dict(zip(ROLES, statuses, strict=True)) == dict(zip(ROLES, expected, strict=True))


def test_every_deliberation_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Délibération")
    in_matrix = {(method, path.replace("{circle}", "{slug}")) for method, path, *_ in MATRIX}
    assert documented == in_matrix


def test_a_forged_token_is_refused(coop):
    client = Client(headers={"Authorization": "Bearer cmn_faux"})
    assert client.get("/api/v1/spaces").status_code == 401


def test_a_token_acts_as_its_member(bob, private_thread):
    from commun.accounts.models import ApiToken

    _token, secret = ApiToken.issue(bob.user, "Script")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    response = client.post(
        f"/api/v1/threads/{private_thread.pk}/comments",
        {"body": "Par jeton"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert client_for(None).get(f"/api/v1/threads/{private_thread.pk}").status_code == 404
