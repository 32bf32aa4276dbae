"""The board's API: the same rules and model methods as the pages, in the OpenAPI document.

Bob raised the need; Gus takes its tasks; Alice is an officer.
"""

import pytest

from commun.board.models import Task, TaskChange
from commun.members.models import Member
from commun.testing.api import bearer, call
from commun.testing.board import funded_mission, task_on

pytestmark = pytest.mark.django_db

LIST_QUERIES = 8


def test_a_member_creates_takes_and_finishes_a_task_and_its_owner_validates(need, gus, bob):
    created = call(
        bearer(gus.user),
        "POST",
        "/tasks",
        {
            "need_id": need.pk,
            "title": "Écrire les tests",
            "description": "<script>x</script>**vite**",
            "labels": ["tests"],
            "links": ["https://forge.example.org/coop/x/-/issues/1"],
            "due_on": "2026-03-01",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "todo" and body["labels"] == ["tests"]
    assert "<script" not in body["description_html"]
    task_id = body["id"]
    taken = call(bearer(gus.user), "POST", f"/tasks/{task_id}/take", {"expected_state": "todo"})
    assert taken.status_code == 200 and taken.json()["state"] == "doing"
    assert call(bearer(gus.user), "POST", f"/tasks/{task_id}/finish").json()["state"] == "done"
    validated = call(bearer(bob.user), "POST", f"/tasks/{task_id}/validate")
    assert validated.json()["state"] == "validated"
    history = call(bearer(bob.user), "GET", f"/tasks/{task_id}/history").json()
    assert [(c["kind"], c["from_state"], c["to_state"]) for c in history] == [
        ("created", "", "todo"),
        ("took", "todo", "doing"),
        ("finished", "doing", "done"),
        ("validated", "done", "validated"),
    ]


def test_the_wrong_caller_is_refused_and_nothing_changes(need, gus, bob, carol, dan):
    task = task_on(need, gus)
    task.take(gus)
    before = TaskChange.objects.count()
    assert call(bearer(bob.user), "POST", f"/tasks/{task.pk}/finish").status_code == 403
    assert call(bearer(bob.user), "POST", f"/tasks/{task.pk}/leave").status_code == 403
    assert call(bearer(carol.user), "POST", f"/tasks/{task.pk}/take").status_code == 403
    assert call(bearer(dan), "POST", f"/tasks/{task.pk}/take").status_code == 403
    from django.test import Client

    assert call(Client(), "POST", f"/tasks/{task.pk}/take").status_code == 401
    reason = {"reason": "Non."}
    assert call(bearer(bob.user), "POST", f"/tasks/{task.pk}/abandon", reason).status_code == 403
    assert TaskChange.objects.count() == before


def test_a_stale_state_answers_409_and_bad_input_422(need, gus, bob, alice):
    task = task_on(need, gus)
    task.take(gus)
    stale = call(bearer(bob.user), "POST", f"/tasks/{task.pk}/take", {"expected_state": "todo"})
    assert stale.status_code == 409 and "rechargez" in stale.json()["detail"]
    full = call(bearer(bob.user), "POST", f"/tasks/{task.pk}/take")
    assert full.status_code == 409
    bad = call(bearer(bob.user), "POST", f"/tasks/{task.pk}/take", {"expected_state": "nope"})
    assert bad.status_code == 422
    no_reason = call(bearer(alice.user), "POST", f"/tasks/{task.pk}/abandon", {"reason": " "})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == [
        "body",
        "reason",
    ]
    for body, field in [
        ({"need_id": 999_999, "title": "x"}, "need_id"),
        ({"need_id": need.pk, "title": " "}, "title"),
        ({"need_id": need.pk, "title": "x", "links": ["javascript:alert(1)"]}, "links"),
        ({"need_id": need.pk, "title": "x", "mission_id": 999_999}, "mission_id"),
        ({"need_id": need.pk, "title": "x", "slots": 0}, "slots"),
        ({"need_id": need.pk, "title": "x", "colour": "red"}, "colour"),
    ]:
        response = call(bearer(bob.user), "POST", "/tasks", body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][-1] == field, response.json()
    assert call(bearer(bob.user), "GET", "/tasks/99999999").status_code == 404
    assert Task.objects.count() == 1


def test_names_follow_each_members_choice(need, gus):
    task_on(need, gus).take(gus)
    Member.objects.filter(pk=gus.pk).update(public_visibility="hidden")
    from django.test import Client

    items = call(Client(), "GET", "/tasks").json()["items"]
    assert items[0]["assignees"] == [f"Associé·e n°{gus.number}"]


def test_the_list_filters_and_pages_by_id_at_a_fixed_cost(
    need, gus, bob, alice, django_assert_max_num_queries
):
    mission = funded_mission(gus, alice)
    for i in range(25):
        task = task_on(mission.need, gus, title=f"T{i}", labels=["lot"], mission=mission)
        if i % 5 == 0:
            task.take(bob)
    task_on(need, gus, title="Ailleurs")
    client = bearer(bob.user)
    seen, after = [], None
    while True:
        path = "/tasks?label=lot&limit=10" + (f"&after={after}" if after else "")
        with django_assert_max_num_queries(LIST_QUERIES):
            body = call(client, "GET", path).json()
        seen += [t["id"] for t in body["items"]]
        after = body["next_after"]
        if after is None:
            break
    assert len(seen) == 25 and seen == sorted(seen, reverse=True)
    by_bob = call(client, "GET", f"/tasks?assignee={bob.number}").json()["items"]
    assert len(by_bob) == 5
    assert len(call(client, "GET", f"/tasks?mission={mission.pk}&state=doing").json()["items"]) == 5
    assert [t["title"] for t in call(client, "GET", f"/tasks?need={need.pk}").json()["items"]] == [
        "Ailleurs"
    ]


def test_the_openapi_document_lists_the_board(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/history",
        "/api/v1/tasks/{task_id}/take",
        "/api/v1/tasks/{task_id}/send-back",
    ):
        assert path in paths, path
    assert "409" in paths["/api/v1/tasks/{task_id}/take"]["post"]["responses"]


def test_the_creator_edits_a_task_through_the_api(need, gus, bob):
    task = task_on(need, gus)
    body = {"title": "Par l'API", "labels": ["api"], "expected_state": "todo"}
    response = call(bearer(gus.user), "PUT", f"/tasks/{task.pk}", body)
    assert response.status_code == 200 and response.json()["labels"] == ["api"]
    assert response.json()["history"][-1]["kind"] == "edited"
    stale = call(bearer(gus.user), "PUT", f"/tasks/{task.pk}", body | {"expected_state": "done"})
    assert stale.status_code == 409
    task.take(bob)
    task.finish(bob)
    assert call(bearer(gus.user), "PUT", f"/tasks/{task.pk}", {"title": "x"}).status_code == 409
