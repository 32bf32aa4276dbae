"""A task's life through its model: every change allowed and refused, and its history.

Alice is an officer, Bob raised the need (he answers for its unfunded tasks), Gus is an
associate, Carol an applicant and Dan an account without membership.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.board.models import Conflict, Label, Task, TaskChange
from commun.board.signals import task_changed, task_created
from commun.testing.board import funded_mission, task_on

pytestmark = pytest.mark.django_db


def states(task) -> list[tuple[str, str, str]]:
    return [
        (c.kind, c.from_state, c.to_state)
        for c in TaskChange.objects.filter(task=task).order_by("pk")
    ]


def test_a_member_creates_a_task_with_its_labels_links_and_a_created_row(need, gus):
    task = task_on(
        need,
        gus,
        description="Voir **le ticket**.",
        labels=["billetterie", "urgent", "billetterie"],
        links=["https://forge.example.org/coop/billets/-/issues/12"],
        estimate_hours=6,
    )
    assert task.state == "todo" and task.created_by == gus
    assert sorted(task.labels.values_list("name", flat=True)) == ["billetterie", "urgent"]
    assert task.links == ["https://forge.example.org/coop/billets/-/issues/12"]
    assert states(task) == [("created", "", "todo")]
    assert TaskChange.objects.get(task=task).by == gus


def test_the_description_is_rendered_without_its_script(need, gus):
    task = task_on(need, gus, description="Bien.<script>alert(1)</script> **gras**")
    assert "<script" not in task.description_html
    assert "<strong>gras</strong>" in task.description_html


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"links": ["javascript:alert(1)"]}, "links"),
        ({"links": ["ftp://forge.example.org/x"]}, "links"),
        ({"labels": ["x" * 41]}, "labels"),
        ({"labels": [f"l{i}" for i in range(11)]}, "labels"),
        ({"slots": 0}, "slots"),
        ({"slots": 21}, "slots"),
        ({"estimate_hours": 0}, "estimate_hours"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(need, gus, fields, field):
    with pytest.raises(ValidationError) as caught:
        task_on(need, gus, **({"title": "Une tâche"} | fields))
    assert field in caught.value.message_dict
    assert not Task.objects.exists() and not Label.objects.exists()


def test_visitors_applicants_and_accounts_may_not_create_a_task(need, carol, dan):
    for who in (None, carol.user, dan):
        with pytest.raises(PermissionDenied):
            task_on(need, who)


def test_a_task_needs_a_live_need_and_a_funded_mission_of_that_need(need, alice, bob, gus):
    need.set_status(bob, "dropped", "Plus utile.")
    with pytest.raises(ValidationError) as caught:
        task_on(need, gus)
    assert "need" in caught.value.message_dict
    mission = funded_mission(gus, alice)
    other = funded_mission(bob, alice)
    with pytest.raises(ValidationError) as caught:
        task_on(mission.need, gus, mission=other)
    assert "mission" in caught.value.message_dict
    assert task_on(mission.need, gus, mission=mission).mission == mission


def test_the_whole_life_of_a_task_is_kept_as_history(need, bob, gus):
    task = task_on(need, gus)
    task.take(gus)
    task.finish(gus)
    task.send_back(bob, "Il manque les tests.")
    task.finish(gus)
    task.validate(bob)
    task.refresh_from_db()
    assert task.state == "validated"
    assert states(task) == [
        ("created", "", "todo"),
        ("took", "todo", "doing"),
        ("finished", "doing", "done"),
        ("sent_back", "done", "doing"),
        ("finished", "doing", "done"),
        ("validated", "done", "validated"),
    ]
    sent_back = TaskChange.objects.get(task=task, kind="sent_back")
    assert sent_back.by == bob and sent_back.reason == "Il manque les tests."


def test_leaving_a_task_puts_it_back_to_do_when_nobody_is_left(need, bob, gus):
    task = task_on(need, gus, slots=2)
    task.take(gus)
    task.take(bob)
    task.leave(gus)
    task.refresh_from_db()
    assert task.state == "doing" and list(task.assignees.all()) == [bob]
    task.leave(bob)
    task.refresh_from_db()
    assert task.state == "todo" and not task.assignees.exists()
    assert [kind for kind, *_ in states(task)][-2:] == ["left", "left"]


def test_nobody_takes_a_place_that_is_not_there(need, bob, gus):
    task = task_on(need, gus)
    task.take(gus)
    with pytest.raises(Conflict, match="places"):
        task.take(bob)
    with pytest.raises(Conflict, match="déjà"):
        task.take(gus)


@pytest.mark.parametrize(
    "who, action",
    [
        ("bob", "finish"),  # not an assignee
        ("bob", "leave"),
        ("gus", "validate"),  # the assignee does not validate their own work
        ("gus", "send_back"),
        ("bob", "abandon"),  # neither the creator nor an officer
        ("carol", "take"),
        ("dan", "take"),
        ("visitor", "take"),
    ],
)
def test_the_wrong_person_is_refused_and_nothing_changes(need, bob, gus, carol, dan, who, action):
    task = task_on(need, gus)
    task.take(gus)
    if action in ("validate", "send_back"):
        task.finish(gus)
    before = states(task)
    people = {"bob": bob, "gus": gus, "carol": carol.user, "dan": dan, "visitor": None}
    method = getattr(task, action)
    args = ("Parce que.",) if action in ("send_back", "abandon") else ()
    with pytest.raises(PermissionDenied):
        method(people[who], *args)
    assert states(task) == before


def test_an_officer_validates_and_abandons_any_task(need, alice, gus):
    task = task_on(need, gus)
    task.take(gus)
    task.finish(gus)
    task.validate(alice)
    other = task_on(need, gus)
    other.abandon(alice, "Fait ailleurs.")
    other.refresh_from_db()
    assert other.state == "abandoned"


def test_the_missions_proposer_validates_its_tasks_and_the_need_author_does_not(alice, bob, gus):
    mission = funded_mission(gus, alice)
    task = task_on(mission.need, bob, mission=mission)
    task.take(bob)
    task.finish(bob)
    task.validate(gus)
    assert Task.objects.get(pk=task.pk).state == "validated"


@pytest.mark.parametrize(
    "steps, action",
    [
        ([], "finish"),  # à faire: nothing to finish
        (["finish"], "take"),
        (["finish", "validate"], "send_back"),
        (["finish", "validate"], "abandon"),
        (["finish", "validate"], "leave"),
        (["finish"], "finish"),
        ([], "validate"),
    ],
)
def test_a_change_the_state_does_not_allow_is_refused(need, alice, gus, steps, action):
    task = task_on(need, gus, slots=2)
    task.take(gus)
    if not steps and action in ("finish", "validate"):
        task.leave(gus)
    for step in steps:
        getattr(task, step)(alice if step == "validate" else gus)
    before = states(task)
    who = alice if action in ("validate", "send_back", "abandon", "take") else gus
    args = ("Parce que.",) if action in ("send_back", "abandon") else ()
    with pytest.raises((Conflict, PermissionDenied)):
        getattr(task, action)(who, *args)
    assert states(task) == before


def test_a_stale_form_cannot_move_a_validated_task_back(need, alice, gus):
    task = task_on(need, gus)
    task.take(gus)
    task.finish(gus)
    stale = Task.objects.get(pk=task.pk)  # read while it was "done"
    task.validate(alice)
    with pytest.raises(Conflict, match="Validée"):
        stale.send_back(alice, "Pas fini.", expected="done")
    assert Task.objects.get(pk=task.pk).state == "validated"


def test_a_reason_is_required_to_send_back_or_abandon(need, alice, gus):
    task = task_on(need, gus)
    with pytest.raises(ValidationError) as caught:
        task.abandon(alice, "  ")
    assert "reason" in caught.value.message_dict
    assert Task.objects.get(pk=task.pk).state == "todo"


def test_signals_are_sent_inside_the_change_s_transaction(need, gus):
    """(That what a listener writes rolls back with the change: the webhooks' tests.)"""
    heard = []

    def listen(signal_name):
        def receiver(sender, task, change, **kwargs):
            heard.append((signal_name, task.pk, change.kind))

        return receiver

    on_created, on_changed = listen("created"), listen("changed")
    task_created.connect(on_created)
    task_changed.connect(on_changed)
    try:
        task = task_on(need, gus)
        task.take(gus)
    finally:
        task_created.disconnect(on_created)
        task_changed.disconnect(on_changed)
    assert heard == [("created", task.pk, "created"), ("changed", task.pk, "took")]


def test_the_history_cannot_be_rewritten(need, gus):
    change = TaskChange.objects.get(task=task_on(need, gus))
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        TaskChange.objects.update(reason="x")


def test_the_missions_review_lists_the_tasks_done_under_it(alice, bob, gus, client):
    mission = funded_mission(gus, alice)
    done = task_on(mission.need, bob, title="Livrer la v2", mission=mission)
    done.take(bob)
    done.finish(bob)
    task_on(mission.need, bob, title="Pas encore faite", mission=mission)
    page = client.get(mission.get_absolute_url()).content.decode()
    assert "Livrer la v2" in page and "Pas encore faite" not in page
    mission.ask_review(gus, "Tout est livré.")
    mission.refresh_from_db()
    text = mission.review_decision.current_version.body
    assert "Livrer la v2 (fait)" in text and "Pas encore faite" not in text


def details(**changes) -> dict:
    values = {
        "title": "Corriger l'envoi des billets",
        "description": "",
        "labels": [],
        "due_on": None,
        "estimate_hours": None,
        "links": [],
        "slots": 1,
    }
    return values | changes


def test_an_edit_is_kept_in_the_history_with_what_changed(need, gus, bob, alice):
    task = task_on(need, gus)
    change = task.edit(gus, **details(title="Corriger l'envoi", labels=["bug"], slots=2))
    task.refresh_from_db()
    assert task.title == "Corriger l'envoi" and task.slots == 2
    assert list(task.labels.values_list("name", flat=True)) == ["bug"]
    assert change.kind == "edited" and change.from_state == change.to_state == "todo"
    assert "titre" in change.reason and "étiquettes" in change.reason
    assert task.edit(gus, **details(title="Corriger l'envoi", labels=["bug"], slots=2)) is None
    task.edit(bob, **details(title="Par Bob"))  # Bob raised the need: he validates it
    task.edit(alice, **details(title="Par Alice"))


def test_an_edit_is_refused_to_others_after_done_and_below_the_takers(need, gus, bob, dan):
    from commun.conftest import category, make_member

    other = make_member("hana@example.org", "Hana", "Roux", category("Partenaires"))
    task = task_on(need, gus, slots=2)
    for who in (other, dan, None):
        with pytest.raises(PermissionDenied):
            task.edit(who, **details(title="Non"))
    task.take(gus)
    task.take(bob)
    with pytest.raises(ValidationError) as caught:
        task.edit(gus, **details(slots=1))
    assert "slots" in caught.value.message_dict
    task.leave(bob)
    task.finish(gus)
    with pytest.raises(Conflict):
        task.edit(gus, **details(title="Trop tard"))
    assert Task.objects.get(pk=task.pk).title == "Corriger l'envoi des billets"


def test_a_due_date_beyond_ten_years_is_refused_on_its_field(need, gus):
    with pytest.raises(ValidationError) as refused:
        task_on(need, gus, due_on=datetime.date(9999, 12, 31))
    assert "due_on" in refused.value.message_dict
    assert not Task.objects.exists()
