"""The demo's board: tasks at each state, with their history, loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from commun.board import demo as board_demo
from commun.board.models import Task, TaskChange


@pytest.mark.django_db
def test_the_demo_has_tasks_at_every_state_and_loads_once():
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    assert "Tableau" in out.getvalue()
    count = Task.objects.count()
    assert count >= 25
    board_demo.load(stdout=StringIO())
    assert Task.objects.count() == count
    assert set(Task.objects.values_list("state", flat=True)) == {
        "todo",
        "doing",
        "done",
        "validated",
        "abandoned",
    }
    validated = Task.objects.get(title=board_demo.MARKER)
    kinds = list(TaskChange.objects.filter(task=validated).values_list("kind", flat=True))
    assert kinds == ["created", "took", "finished", "sent_back", "finished", "validated"]
    assert validated.mission is not None
    assert validated.changes.first().at < validated.changes.last().at  # replayed in time
    assert Client().get("/tableau/").status_code == 200
