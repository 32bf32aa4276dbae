"""What keeps the board fast at 100,000 tasks (docs/benchmarks.md): a page reverses its
addresses once, not once per card; it reads no task's description; « Mes tâches » reads
neither labels nor assignees it does not show; its cards link where reverse() says.

Bob raised the need; Gus takes its tasks; Alice is an officer.
"""

import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.urls.resolvers import URLResolver

from commun.board import forms
from commun.board.models import Task
from commun.conftest import client_for
from commun.testing.board import funded_mission, task_on

pytestmark = pytest.mark.django_db


def reverses_and_queries(client, url: str) -> tuple[int, int, str]:
    """How many times the page reverses an address and how many SQL queries it runs."""
    with (
        mock.patch.object(
            URLResolver,
            "_reverse_with_prefix",
            autospec=True,
            side_effect=URLResolver._reverse_with_prefix,
        ) as reversing,
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return reversing.call_count, len(queries), response.content.decode()


def fill(count: int, need, bob, gus, mission):
    for i in range(count):
        funded = mission if mission and i % 2 else None
        task = task_on(
            funded.need if funded else need, bob, title=f"T{i}", labels=["a"], mission=funded
        )
        if i % 3:
            task.take(gus)
        if i % 3 == 2:
            task.finish(gus)


@pytest.mark.parametrize("page", ["board:board", "board:list", "board:mine"])
def test_a_page_costs_the_same_reverses_and_queries_for_2_cards_and_for_40(
    need, bob, gus, alice, people, page
):
    mission = funded_mission(bob, alice)
    client = client_for(gus.user)
    fill(2, need, bob, gus, mission)
    client.get(reverse(page))  # the first request fills per-process caches
    reverses_few, queries_few, _html = reverses_and_queries(client, reverse(page))
    fill(38, need, bob, gus, mission)
    reverses_many, queries_many, html = reverses_and_queries(client, reverse(page))
    assert html.count('href="/tableau/taches/') >= 20
    assert (reverses_many, queries_many) == (reverses_few, queries_few)


def test_every_card_links_where_reverse_says(need, bob, gus, alice, people):
    mission = funded_mission(bob, alice)
    fill(12, need, bob, gus, mission)
    for client in (people["visitor"], client_for(gus.user), client_for(bob.user)):
        html = client.get(reverse("board:board")).content.decode()
        for task in Task.objects.select_related("need", "mission"):
            card = re.search(
                rf'<li class="card task-card" id="task-{task.pk}">.*?</li>', html, re.S
            )
            links = set(re.findall(r'(?:href|action)="([^"?]+)', card.group(0)))
            expected = {task.get_absolute_url(), task.need.get_absolute_url()}
            if task.mission:
                expected.add(task.mission.get_absolute_url())
            assert expected <= links
            buttons = links - expected
            assert all(url.startswith(task.get_absolute_url()) for url in buttons)
            for url in buttons:
                assert url == reverse("board:action", args=[task.pk, url.rsplit("/", 2)[-2]])


def test_the_board_and_my_tasks_never_read_a_description(need, bob, gus):
    fill(6, need, bob, gus, None)
    client = client_for(gus.user)
    for page in ("board:board", "board:list", "board:mine"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(page)).status_code == 200
        read = " ".join(query["sql"] for query in queries if "board_task" in query["sql"])
        assert '"board_task"."description"' not in read, page


def test_my_tasks_reads_no_label_nor_assignee(need, bob, gus):
    fill(6, need, bob, gus, None)
    with CaptureQueriesContext(connection) as queries:
        assert client_for(gus.user).get(reverse("board:mine")).status_code == 200
    read = " ".join(query["sql"] for query in queries)
    assert "board_task_labels" not in read


def column_plan(tasks) -> str:
    """SQLite's plan for a column's query: how it finds the tasks and whether it sorts."""
    sql, params = tasks.order_by("-pk")[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(row[-1] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_a_common_label_walks_the_latest_tasks_of_a_column_without_sorting_them(
    need, bob, monkeypatch
):
    monkeypatch.setattr(forms, "FEW_LABELLED", 3)
    for i in range(5):
        task_on(need, bob, title=f"T{i}", labels=["courante"])
    plan = column_plan(forms.labelled(Task.objects.filter(state="todo"), "courante"))
    assert "task_state_id" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_a_rare_label_reads_its_few_tasks_rather_than_the_column(need, bob, monkeypatch):
    monkeypatch.setattr(forms, "FEW_LABELLED", 3)
    task_on(need, bob, title="T", labels=["rare"])
    plan = column_plan(forms.labelled(Task.objects.filter(state="todo"), "rare"))
    assert "LIST SUBQUERY" in plan, plan


@pytest.mark.parametrize("few", [0, 1_000])
def test_a_label_keeps_the_same_tasks_however_it_is_asked(need, bob, gus, monkeypatch, few):
    monkeypatch.setattr(forms, "FEW_LABELLED", few)
    for i in range(8):
        task = task_on(need, bob, title=f"T{i}", labels=["a"] if i % 2 else ["b"])
        if i % 4 == 1:
            task.take(gus)
    for name, state in (("a", "todo"), ("a", "doing"), ("b", "todo"), ("a", ""), ("c", "")):
        tasks = Task.objects.filter(state=state) if state else Task.objects.all()
        expected = tasks.filter(labels__name=name).order_by("-pk")
        assert list(forms.labelled(tasks, name).order_by("-pk")) == list(expected), (name, state)


def test_a_card_says_its_words_on_the_page_and_in_the_columns_answered_to_htmx(need, bob, gus):
    taken = task_on(need, bob, title="Prise", due_on=datetime.date(2030, 5, 1))
    taken.take(gus)
    free = task_on(need, bob, title="Libre")
    client = client_for(gus.user)
    page = client.get(reverse("board:board")).content.decode()
    url = reverse("board:action", args=[free.pk, "prendre"])
    columns = client.post(url, {"etat": "todo"}, HTTP_HX_REQUEST="true").content.decode()
    for html in (page, columns):
        card = html[html.index(f'id="task-{taken.pk}"') :]
        card = card[: card.index("</li>")]
        assert "Besoin : <a" in card and "Prise par Gus Blanc" in card, card
        assert "Échéance <time" in card, card
    english = client.get(reverse("board:board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Taken by Gus Blanc" in english and "Need : <a" in english


# Each page's queries, at most, whatever the number of tasks (the bench counts the same).
PAGE_QUERIES = [
    ("visitor", "board:board", "", 8),
    ("member", "board:board", "", 13),
    ("visitor", "board:board", "?label=a", 9),
    ("visitor", "board:board", "?state=done", 4),
    ("visitor", "board:list", "?state=done", 4),
    ("member", "board:mine", "", 7),
]


@pytest.mark.parametrize(("role", "page", "query", "most"), PAGE_QUERIES)
def test_each_page_stays_within_its_queries(
    need, bob, gus, alice, people, django_assert_max_num_queries, role, page, query, most
):
    fill(30, need, bob, gus, funded_mission(bob, alice))
    client = client_for(gus.user) if role == "member" else people[role]
    client.get(reverse(page) + query)
    with django_assert_max_num_queries(most):
        assert client.get(reverse(page) + query).status_code == 200
