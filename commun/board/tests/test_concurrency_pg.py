"""Taking a task under real concurrency (PostgreSQL row locks): never more takers than places.

SQLite serialises every writer, so these only prove something on PostgreSQL.
"""

import pytest

from commun.board.models import Assignment, Conflict, Task, TaskChange
from commun.conftest import category, make_member
from commun.testing.board import task_on
from commun.testing.budgets import need_by
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_members_taking_the_same_task_at_once_one_wins(bob, gus):
    task = task_on(need_by(bob), bob)

    outcomes = all_at_once(2, lambda i: Task.objects.get(pk=task.pk).take((bob, gus)[i]))

    won = [o for o in outcomes if isinstance(o, TaskChange)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert Assignment.objects.filter(task=task).count() == 1
    assert TaskChange.objects.filter(task=task, kind="took").count() == 1
    assert Task.objects.get(pk=task.pk).state == "doing"


def test_ten_members_for_three_places(bob):
    members = [
        make_member(f"m{i}@example.org", f"M{i}", "Test", category("Partenaires"))
        for i in range(10)
    ]
    task = task_on(need_by(bob), bob, slots=3)

    outcomes = all_at_once(10, lambda i: Task.objects.get(pk=task.pk).take(members[i]))

    assert sum(isinstance(o, TaskChange) for o in outcomes) == 3, outcomes
    assert sum(isinstance(o, Conflict) for o in outcomes) == 7
    assert Assignment.objects.filter(task=task).count() == 3


def test_a_validation_and_a_send_back_at_once_leave_one_history(alice, bob, gus):
    task = task_on(need_by(bob), gus)
    task.take(gus)
    task.finish(gus)

    def act(i):
        fresh = Task.objects.get(pk=task.pk)
        if i == 0:
            return fresh.validate(alice, expected="done")
        return fresh.send_back(bob, "Pas fini.", expected="done")

    outcomes = all_at_once(2, act)

    assert sum(isinstance(o, TaskChange) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert TaskChange.objects.filter(task=task, from_state="done").count() == 1
