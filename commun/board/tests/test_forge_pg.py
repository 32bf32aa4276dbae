"""One forge delivery arriving twice at once (PostgreSQL locks): the task moves once.

SQLite serialises every writer, so this only proves something on PostgreSQL.
"""

import pytest

from commun.board import forge
from commun.board.models import ForgeDelivery, Task, TaskChange
from commun.testing.board import task_on
from commun.testing.budgets import need_by
from commun.testing.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ISSUE = "https://forge.example.org/coop/billets/issues/12"


def test_the_same_delivery_twice_at_once_moves_the_task_once(bob, gus):
    task = task_on(need_by(bob), gus, links=[ISSUE])
    task.take(gus)
    event = forge.Event("d-1", "closed", ISSUE)

    outcomes = all_at_once(4, lambda i: forge.receive("github", event)[0])

    assert sorted(outcomes) == ["already", "already", "already", "moved"], outcomes
    assert ForgeDelivery.objects.count() == 1
    assert TaskChange.objects.filter(task=task, kind="finished").count() == 1
    assert Task.objects.get(pk=task.pk).state == "done"


def test_different_deliveries_at_once_move_the_task_once(bob, gus):
    task = task_on(need_by(bob), gus, links=[ISSUE])
    task.take(gus)

    outcomes = all_at_once(
        3, lambda i: forge.receive("gitlab", forge.Event(f"d-{i}", "closed", ISSUE))[0]
    )

    assert sorted(outcomes).count("moved") == 1, outcomes
    assert TaskChange.objects.filter(task=task, kind="finished").count() == 1
