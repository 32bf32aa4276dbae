"""Every task endpoint × role × the state it acts on, through the API.

Each cell acts on a task of its own, set up in the row's state: Bob raised the need (he
answers for its unfunded tasks), Gus took the task when it is taken, Hugo is another
member, Alice an officer, Carol an applicant, Dan an account without membership. A
refusal answers JSON and changes nothing: neither the task nor its history.
"""

import pytest
from django.test import Client

from commun.board.models import Task, TaskChange
from commun.conftest import category, make_member
from commun.testing.api import bearer, call, documented_endpoints
from commun.testing.board import task_on
from commun.testing.budgets import need_by

ROLES = ["visitor", "applicant", "account", "member", "assignee", "answerable", "officer"]
T = "/tasks/{task_id}"
REASON = {"reason": "Pas encore."}
EDIT = {"title": "Corriger l'envoi", "description": "", "labels": [], "links": []}

# (method, path, body, the state the task is in, the status for each role above)
MATRIX = [
    ("GET", "/tasks", None, "todo", (200, 200, 200, 200, 200, 200, 200)),
    ("GET", T, None, "todo", (200, 200, 200, 200, 200, 200, 200)),
    ("GET", T + "/history", None, "todo", (200, 200, 200, 200, 200, 200, 200)),
    ("POST", "/tasks", "new", "todo", (401, 403, 403, 201, 201, 201, 201)),
    ("POST", "/needs/{need_id}/tasks/import", "csv", "todo", (401, 403, 403, 201, 201, 201, 201)),
    ("PUT", T, EDIT, "todo", (401, 403, 403, 403, 403, 200, 200)),
    ("POST", T + "/take", None, "todo", (401, 403, 403, 200, 200, 200, 200)),
    ("POST", T + "/leave", None, "doing", (401, 403, 403, 403, 200, 403, 403)),
    ("POST", T + "/finish", None, "doing", (401, 403, 403, 403, 200, 403, 403)),
    ("POST", T + "/validate", None, "done", (401, 403, 403, 403, 403, 200, 200)),
    ("POST", T + "/send-back", REASON, "done", (401, 403, 403, 403, 403, 200, 200)),
    ("POST", T + "/abandon", REASON, "todo", (401, 403, 403, 403, 403, 200, 200)),
    ("POST", T + "/abandon", REASON, "done", (401, 403, 403, 403, 403, 409, 409)),
    ("POST", T + "/move", "move", "todo", (401, 403, 403, 403, 403, 200, 200)),
    ("POST", T + "/move", "move", "done", (401, 403, 403, 403, 403, 409, 409)),
]


@pytest.fixture
def hugo(coop):
    return make_member("hugo@example.org", "Hugo", "Martin", category("Partenaires"))


@pytest.fixture
def callers(alice, bob, carol, dan, gus, hugo) -> dict[str, Client]:
    return {
        "visitor": Client(),
        "applicant": bearer(carol.user),
        "account": bearer(dan),
        "member": bearer(hugo.user),
        "assignee": bearer(gus.user),
        "answerable": bearer(bob.user),
        "officer": bearer(alice.user),
    }


def in_state(need, bob, gus, state: str) -> Task:
    task = task_on(need, bob)
    if state in ("doing", "done"):
        task.take(gus)
    if state == "done":
        task.finish(gus)
    return task


def snapshot():
    return sorted(Task.objects.values_list("pk", "state", "title")), TaskChange.objects.count()


def body_for(body, need):
    if body == "new":
        return {**EDIT, "need_id": need.pk}
    if body == "move":
        return {"need_id": need_by(need.raised_by, title="Ailleurs").pk}
    return body


@pytest.mark.parametrize(
    ("method", "path", "body", "state", "expected"),
    [pytest.param(*row, id=f"{row[0]} {row[1]} {row[3]}") for row in MATRIX],
)
def test_permission_matrix(callers, need, bob, gus, method, path, body, state, expected):
    statuses = {}
    for role in ROLES:
        task = in_state(need, bob, gus, state)
        before = snapshot()
        url = path.format(task_id=task.pk, need_id=need.pk)
        if body == "csv":
            response = callers[role].post(
                "/api/v1" + url, {"file": _csv()}, headers={"accept-language": "fr"}
            )
        else:
            response = call(callers[role], method, url, body_for(body, need))
        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), role
            assert response.json()["detail"], role
            assert snapshot() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def _csv():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("taches.csv", b"Title\nUne\n", content_type="text/csv")


def test_every_task_endpoint_is_in_the_matrix(db):
    documented = documented_endpoints("Tableau des tâches")
    assert documented == {(method, path) for method, path, *_rest in MATRIX}
