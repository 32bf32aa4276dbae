"""Moving a task to another need or mission, as a cooperative reorganises its board.

Bob raised the task's need; Gus wrote the task on it; Hugo is another member; Alice is an
officer and the proposer of an adopted mission on a need of her own.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.board.models import Conflict, Task, TaskChange
from commun.budgets.models import Need
from commun.conftest import category, make_member
from commun.testing.api import bearer, call
from commun.testing.board import funded_mission, task_on
from commun.testing.budgets import need_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def hugo(coop):
    return make_member("hugo@example.org", "Hugo", "Martin", category("Partenaires"))


@pytest.fixture
def other_need(alice):
    return need_by(alice, title="Une documentation à jour")


def test_its_author_moves_a_task_to_another_need_and_the_history_says_from_where(
    need, other_need, gus
):
    task = task_on(need, gus)
    change = task.move(gus, other_need)
    task.refresh_from_db()
    assert task.need == other_need and task.mission is None
    assert (change.kind, change.by, change.from_state, change.to_state) == (
        "moved",
        gus,
        "todo",
        "todo",
    )
    assert change.reason == ("Besoin « Une billetterie maintenue » → « Une documentation à jour ».")


def test_the_need_s_author_and_an_officer_move_it_to_a_mission_and_others_may_not(
    need, gus, bob, alice, hugo
):
    mission = funded_mission(alice, alice)
    task = task_on(need, gus)
    with pytest.raises(PermissionDenied):
        task.move(hugo, mission.need, mission)
    task.move(bob, mission.need, mission)
    task.refresh_from_db()
    assert (task.need, task.mission) == (mission.need, mission)
    assert task.changes.last().reason == (
        f"Besoin « Une billetterie maintenue » → « {mission.need.title} ». "
        f"Mission : aucune → « {mission} »."
    )
    task.move(alice, need)
    task.refresh_from_db()
    assert (task.need, task.mission) == (need, None)
    assert TaskChange.objects.filter(task=task, kind="moved").count() == 2


def test_a_move_to_a_closed_need_or_a_mission_of_another_need_writes_nothing(
    need, other_need, gus, alice
):
    mission = funded_mission(alice, alice)
    task = task_on(need, gus)
    Need.objects.filter(pk=other_need.pk).update(status="met", status_reason="Fait")
    other_need.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        task.move(gus, other_need)
    assert "need" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        task.move(gus, need, mission)
    assert "mission" in caught.value.message_dict
    task.refresh_from_db()
    assert task.need == need and task.changes.count() == 1


def test_a_finished_task_stays_where_it_was_done_and_no_move_is_no_change(
    need, other_need, gus, bob
):
    task = task_on(need, gus)
    assert task.move(gus, need) is None
    task.take(gus)
    task.finish(gus)
    with pytest.raises(Conflict):
        task.move(bob, other_need)
    task.refresh_from_db()
    assert task.need == need


def test_the_api_moves_a_task_with_the_same_rules(need, other_need, gus, hugo):
    task = task_on(need, gus)
    path = f"/tasks/{task.pk}/move"
    assert call(bearer(hugo.user), "POST", path, {"need_id": other_need.pk}).status_code == 403
    missing = call(bearer(gus.user), "POST", path, {"need_id": 999_999})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "need_id"
    moved = call(bearer(gus.user), "POST", path, {"need_id": other_need.pk})
    assert moved.status_code == 200 and moved.json()["need"] == other_need.pk
    history = call(bearer(gus.user), "GET", f"/tasks/{task.pk}/history").json()
    assert history[-1]["kind"] == "moved"
    assert Task.objects.get().need == other_need


def test_the_task_page_moves_it_and_shows_from_where_in_its_history(need, other_need, bob, hugo):
    from django.urls import reverse

    from commun.conftest import client_for

    task = task_on(need, bob)
    url = reverse("board:move", args=[task.pk])
    assert client_for(hugo.user).post(url, {"place": str(other_need.pk)}).status_code == 403
    assert 'name="place"' not in client_for(hugo.user).get(task.get_absolute_url()).content.decode()
    page = client_for(bob.user)
    assert 'name="place"' in page.get(task.get_absolute_url()).content.decode()
    bad = page.post(url, {"place": "999999", "etat": "todo"})
    assert bad.status_code == 422 and bad.context["place_form"].errors["place"]
    moved = page.post(url, {"place": str(other_need.pk), "etat": "todo"}, follow=True)
    assert moved.status_code == 200
    html = moved.content.decode()
    assert "a déplacé la tâche" in html and "Une documentation à jour" in html
    task.refresh_from_db()
    assert task.need == other_need and task.changes.count() == 2
