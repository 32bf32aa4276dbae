"""The forge, inbound: real HTTP with real signatures, for GitHub, GitLab and Forgejo/Gitea.

Gus took a task linking to issue 12 of the coop's forge; the forge tells the board the
issue was closed, then reopened. Signatures are computed here as each forge does.
"""

import hashlib
import hmac
import json
import uuid

import pytest
from django.utils import translation

from commun.board import forge as forges
from commun.board.models import ForgeDelivery, Task, TaskChange
from commun.testing.board import task_on

pytestmark = pytest.mark.django_db

SECRET = "s3cret-partagé"
ISSUE = "https://forge.example.org/coop/billets/issues/12"


def _sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github(action, url, delivery, secret=SECRET, event="issues"):
    body = json.dumps({"action": action, "issue": {"html_url": url}}).encode()
    headers = {
        "HTTP_X_HUB_SIGNATURE_256": "sha256=" + _sign(body, secret),
        "HTTP_X_GITHUB_EVENT": event,
        "HTTP_X_GITHUB_DELIVERY": delivery,
    }
    return body, headers


def forgejo(action, url, delivery, secret=SECRET, event="issues"):
    body = json.dumps({"action": action, "issue": {"html_url": url}}).encode()
    headers = {
        "HTTP_X_FORGEJO_SIGNATURE": _sign(body, secret),
        "HTTP_X_GITEA_SIGNATURE": _sign(body, secret),
        "HTTP_X_FORGEJO_EVENT": event,
        "HTTP_X_GITEA_EVENT": event,
        "HTTP_X_FORGEJO_DELIVERY": delivery,
        "HTTP_X_GITEA_DELIVERY": delivery,
    }
    return body, headers


def gitlab(action, url, delivery, secret=SECRET, event="Issue Hook"):
    action = {"closed": "close", "reopened": "reopen"}.get(action, action)
    body = json.dumps({"object_attributes": {"action": action, "url": url}}).encode()
    headers = {
        "HTTP_X_GITLAB_TOKEN": secret,
        "HTTP_X_GITLAB_EVENT": event,
        "HTTP_X_GITLAB_EVENT_UUID": delivery,
    }
    return body, headers


FORGES = {"github": github, "forgejo": forgejo, "gitlab": gitlab}


@pytest.fixture(autouse=True)
def secret(settings):
    settings.BOARD_FORGE_SECRET = SECRET


@pytest.fixture(params=sorted(FORGES))
def forge(request):
    return request.param


@pytest.fixture
def taken(need, gus):
    task = task_on(need, gus, links=[ISSUE])
    task.take(gus.user)
    return task


def post(client, forge, action, url=ISSUE, delivery=None, **kwargs):
    body, headers = FORGES[forge](action, url, delivery or str(uuid.uuid4()), **kwargs)
    return client.post(f"/tableau/forge/{forge}/", body, content_type="application/json", **headers)


def post_signed_to_github(client, body: bytes, delivery="d-3"):
    """A body as GitHub would sign it, whatever it holds."""
    return client.post(
        "/tableau/forge/github/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256="sha256=" + _sign(body),
        HTTP_X_GITHUB_EVENT="issues",
        HTTP_X_GITHUB_DELIVERY=delivery,
    )


def test_a_closed_issue_makes_its_taken_task_done_in_its_first_assignees_name(
    client, forge, taken, gus
):
    response = post(client, forge, "closed")
    assert response.status_code == 200
    assert response.json() == {"outcome": "moved", "tasks": [taken.pk]}
    taken.refresh_from_db()
    assert taken.state == Task.State.DONE
    change = TaskChange.objects.filter(task=taken).latest("pk")
    assert (change.kind, change.from_state, change.to_state) == ("finished", "doing", "done")
    assert change.by == gus and change.reason == "Fermée sur la forge"


def test_a_reopened_issue_brings_its_done_task_back_in_progress(client, forge, taken, gus):
    taken.finish(gus.user)
    response = post(client, forge, "reopened")
    assert response.json() == {"outcome": "moved", "tasks": [taken.pk]}
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING
    change = TaskChange.objects.filter(task=taken).latest("pk")
    assert (change.kind, change.to_state, change.reason) == (
        "sent_back",
        "doing",
        "Rouverte sur la forge",
    )


def test_a_delivery_replayed_changes_nothing_the_second_time(client, forge, taken, bob):
    post(client, forge, "closed", delivery="d-1")
    taken.refresh_from_db()
    taken.send_back(bob.user, "Pas fini")  # Bob, the need's author, sent it back since
    rows = TaskChange.objects.count()
    response = post(client, forge, "closed", delivery="d-1")
    assert response.status_code == 200 and response.json()["outcome"] == "already"
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING and TaskChange.objects.count() == rows
    assert ForgeDelivery.objects.get(forge=forge).outcome == f"moved {taken.pk}"


@pytest.mark.parametrize("other", ["github", "forgejo"])
def test_a_signed_body_replayed_under_a_new_delivery_id_changes_nothing(client, taken, bob, other):
    """The delivery id header is not signed: a signed body seen once (a log, a proxy) and
    sent again under a new id, at either HMAC forge's address, is the same delivery."""
    body, headers = github("closed", ISSUE, "d-1")
    client.post("/tableau/forge/github/", body, content_type="application/json", **headers)
    taken.refresh_from_db()
    taken.send_back(bob.user, "Pas fini")
    rows = TaskChange.objects.count()
    replayed = {
        "github": headers | {"HTTP_X_GITHUB_DELIVERY": "d-2"},
        "forgejo": {
            "HTTP_X_FORGEJO_SIGNATURE": _sign(body),
            "HTTP_X_FORGEJO_EVENT": "issues",
            "HTTP_X_FORGEJO_DELIVERY": "d-3",
        },
    }[other]

    response = client.post(
        f"/tableau/forge/{other}/", body, content_type="application/json", **replayed
    )

    assert response.status_code == 200 and response.json()["outcome"] == "already"
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING and TaskChange.objects.count() == rows


def test_a_bad_signature_is_refused_and_changes_nothing(client, forge, taken):
    rows = TaskChange.objects.count()
    response = post(client, forge, "closed", secret="not-the-secret")
    assert response.status_code == 401
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING
    assert TaskChange.objects.count() == rows and not ForgeDelivery.objects.exists()


def test_a_missing_signature_is_refused(client, forge, taken):
    response = client.post(
        f"/tableau/forge/{forge}/", b'{"action": "closed"}', content_type="application/json"
    )
    assert response.status_code == 401 and not ForgeDelivery.objects.exists()


def test_a_body_altered_after_signing_is_refused(client, taken):
    body, headers = github("closed", ISSUE, "d-2")
    response = client.post(
        "/tableau/forge/github/",
        body.replace(b"12", b"13"),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401


def test_the_endpoint_is_absent_while_no_secret_is_set(client, forge, taken, settings):
    settings.BOARD_FORGE_SECRET = ""
    assert post(client, forge, "closed").status_code == 404
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING


def test_an_unknown_forge_is_not_found(client):
    assert client.post("/tableau/forge/bitbucket/", b"{}", content_type="x").status_code == 404


def test_an_issue_no_task_links_to_is_ignored(client, forge, taken):
    response = post(client, forge, "closed", url=ISSUE.replace("12", "99"))
    assert response.status_code == 200
    assert response.json() == {"outcome": "ignored: no task links to this issue", "tasks": []}
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING


def test_an_issue_whose_url_is_a_prefix_of_a_link_moves_nothing(client, need, gus):
    task = task_on(need, gus, links=[ISSUE + "3"])
    task.take(gus.user)
    response = post(client, "github", "closed")
    assert response.json()["outcome"] == "ignored: no task links to this issue"


def test_a_task_not_in_progress_is_left_as_it_is(client, forge, need, gus):
    task = task_on(need, gus, links=[ISSUE])  # à faire: nobody took it
    response = post(client, forge, "closed")
    assert response.json()["outcome"] == "ignored: no linked task in a state to move"
    task.refresh_from_db()
    assert task.state == Task.State.TODO


def test_other_events_and_actions_are_ignored(client, forge, taken):
    other = {"github": "push", "forgejo": "push", "gitlab": "Push Hook"}[forge]
    assert post(client, forge, "closed", event=other).json()["outcome"].startswith("ignored")
    assert post(client, forge, "edited").json()["outcome"].startswith("ignored")
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_signed_body_that_is_not_a_json_object_is_a_400(client, taken, body):
    response = post_signed_to_github(client, body)
    assert response.status_code == 400 and not ForgeDelivery.objects.exists()


@pytest.mark.parametrize("delivery", ["", "x" * 101])
def test_a_delivery_without_a_usable_id_is_a_400(client, taken, delivery):
    body = github("closed", ISSUE, "unused")[0]
    response = post_signed_to_github(client, body, delivery)
    assert response.status_code == 400
    taken.refresh_from_db()
    assert taken.state == Task.State.DOING


def test_odd_shapes_of_a_signed_payload_are_ignored_not_a_500(client, taken):
    body = json.dumps({"action": ["closed"], "issue": "not an object"}).encode()
    response = post_signed_to_github(client, body)
    assert response.status_code == 200 and response.json()["outcome"].startswith("ignored")


def test_only_post_is_answered(client):
    assert client.get("/tableau/forge/github/").status_code == 405


def test_a_delivery_costs_a_fixed_number_of_queries(client, taken, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        assert post(client, "github", "closed").status_code == 200


def test_the_history_reason_has_its_english(taken):
    with translation.override("en"):
        change = Task.objects.get(pk=taken.pk).close_from_forge()
    assert change.reason == "Closed on the forge"


@pytest.mark.parametrize("size", [forges.MAX_BODY_BYTES + 1, 10 * 1024 * 1024])
def test_a_body_over_its_maximum_is_a_413_and_changes_nothing(client, taken, size):
    body = json.dumps({"action": "closed", "issue": {"html_url": ISSUE}, "x": "x" * size})
    response = post_signed_to_github(client, body.encode())
    assert response.status_code == 413 and response.json()["detail"]
    assert not ForgeDelivery.objects.exists()
    taken.refresh_from_db()
    assert taken.state == "doing"


def test_deliveries_older_than_the_log_keeps_are_forgotten_by_the_worker(client, taken, settings):
    import datetime

    from django.utils import timezone

    from commun.board import tasks
    from commun.core.schedule import PERIODIC

    settings.BOARD_FORGE_LOG_DAYS = 90
    assert post(client, "github", "closed").status_code == 200
    assert post(client, "github", "reopened").status_code == 200
    old, recent = ForgeDelivery.objects.order_by("pk")
    ago_91_days = timezone.now() - datetime.timedelta(days=91)
    ForgeDelivery.objects.filter(pk=old.pk).update(received_at=ago_91_days)
    assert "commun.board.tasks.forget_old_forge_deliveries" in PERIODIC
    assert tasks.forget_old_forge_deliveries.call() == 1
    assert list(ForgeDelivery.objects.all()) == [recent]
    assert TaskChange.objects.filter(task=taken).count() == 4  # the history stays whole
