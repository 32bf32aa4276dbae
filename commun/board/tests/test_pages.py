"""The board's pages: public reading without JavaScript, members' buttons, forged and stale
POSTs refused, filters, names as each member chose, pages bounded in queries.

Bob raised the need; Gus takes its tasks; Alice is an officer.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commun.board.models import Task, TaskChange
from commun.conftest import client_for
from commun.members.models import Member
from commun.testing.board import funded_mission, task_on

pytestmark = pytest.mark.django_db

BOARD_QUERIES = 14


def action(task, name):
    return reverse("board:action", args=[task.pk, name])


def test_a_visitor_reads_the_board_by_state_without_any_form(need, gus, people):
    todo = task_on(need, gus, title="Écrire la doc")
    doing = task_on(need, gus, title="Corriger le bug")
    doing.take(gus)
    page = people["visitor"].get(reverse("board:board"))
    html = page.content.decode()
    assert page.status_code == 200
    for column in ("À faire", "En cours", "Fait", "Validée", "Abandonnée"):
        assert f">{column}</h2>" in html
    assert html.index("Écrire la doc") < html.index("Corriger le bug")  # à faire comes first
    assert "/tableau/taches/" + str(todo.pk) + "/prendre/" not in html
    assert todo.get_absolute_url() in html


def test_a_member_sees_the_buttons_they_may_press(need, gus, people):
    task_on(need, gus).take(gus)
    free = task_on(need, gus, title="Libre")
    html = people["member"].get(reverse("board:board")).content.decode()
    assert action(free, "prendre") in html
    assert 'hx-post="' + action(free, "prendre") in html
    taken = Task.objects.exclude(pk=free.pk).get()
    assert action(taken, "prendre") not in html  # its one place is Gus's
    assert action(taken, "faite") not in html


def test_the_assignee_shows_as_they_chose_for_the_public(need, gus, people, alice):
    task_on(need, gus).take(gus)
    Member.objects.filter(pk=gus.pk).update(public_visibility="pseudonym", pseudonym="gugus")
    visitor = people["visitor"].get(reverse("board:board")).content.decode()
    assert "gugus" in visitor and "Blanc" not in visitor
    Member.objects.filter(pk=gus.pk).update(public_visibility="hidden")
    visitor = people["visitor"].get(reverse("board:list")).content.decode()
    assert f"Associé·e n°{gus.number}" in visitor and "Blanc" not in visitor
    officer = people["officer"].get(reverse("board:board")).content.decode()
    assert "Gus Blanc" in officer  # officers keep the register: they see every name


def test_a_card_reads_no_assignee_address_nor_iban(need, gus, people):
    task_on(need, gus).take(gus)
    with CaptureQueriesContext(connection) as queries:
        response = people["officer"].get(reverse("board:board"))
    assert "Gus Blanc" in response.content.decode()
    (assignees,) = [q["sql"] for q in queries.captured_queries if "board_assignment" in q["sql"]]
    assert "postal_address" not in assignees and "iban" not in assignees


def test_a_member_takes_a_task_with_htmx_and_its_card_moves(need, gus):
    task = task_on(need, gus)
    client = client_for(gus.user)
    response = client.post(
        action(task, "prendre") + "?label=", {"etat": "todo"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="columns"')
    doing = html.index('id="column-doing"')
    assert html.index(f'id="task-{task.pk}"') > doing
    assert action(task, "faite") in html
    assert Task.objects.get(pk=task.pk).state == "doing"


def test_without_javascript_a_change_redirects_back(need, gus):
    task = task_on(need, gus)
    response = client_for(gus.user).post(
        action(task, "prendre"), {"etat": "todo", "next": "/tableau/?state=doing"}
    )
    assert response.status_code == 302 and response["Location"] == "/tableau/?state=doing"
    response = client_for(gus.user).post(
        action(task, "laisser"), {"etat": "doing", "next": "https://evil.example.org/"}
    )
    assert response["Location"] == task.get_absolute_url()


def test_forged_posts_are_refused_and_nothing_changes(need, gus, bob, people):
    task = task_on(need, gus)
    task.take(gus)
    before = TaskChange.objects.count()
    assert people["member"].post(action(task, "faite"), {"etat": "doing"}).status_code == 403
    assert people["member"].post(action(task, "laisser"), {"etat": "doing"}).status_code == 403
    visitor = people["visitor"].post(action(task, "prendre"), {"etat": "doing"})
    assert visitor.status_code == 302 and "/compte/" in visitor["Location"]
    for role in ("applicant", "account"):
        assert people[role].post(action(task, "prendre"), {"etat": "doing"}).status_code == 403
    assert people["member"].post(action(task, "effacer")).status_code == 404
    assert people["member"].get(action(task, "prendre")).status_code == 405
    assert TaskChange.objects.count() == before
    assert Task.objects.get(pk=task.pk).state == "doing"


def test_a_stale_page_cannot_move_a_validated_task(need, gus, alice, people):
    task = task_on(need, gus)
    task.take(gus)
    task.finish(gus)
    task.validate(alice)
    response = people["officer"].post(
        action(task, "renvoyer"), {"etat": "done", "renvoyer-reason": "Pas fini."}
    )
    assert response.status_code in (403, 409)
    forged = client_for(gus.user).post(action(task, "laisser"), {"etat": "bogus"})
    assert forged.status_code in (403, 409)
    assert Task.objects.get(pk=task.pk).state == "validated"


def test_a_stale_take_answers_409_with_the_reason(need, gus, bob):
    task = task_on(need, gus)
    task.take(gus)
    response = client_for(bob.user).post(action(task, "prendre"), {"etat": "todo"})
    assert response.status_code == 409
    assert "rechargez la page" in response.content.decode()


def test_sending_back_needs_a_reason_shown_on_its_field(need, gus, bob):
    task = task_on(need, gus)
    task.take(gus)
    task.finish(gus)
    response = client_for(bob.user).post(action(task, "renvoyer"), {"etat": "done"})
    assert response.status_code == 422
    assert Task.objects.get(pk=task.pk).state == "done"
    response = client_for(bob.user).post(
        action(task, "renvoyer"), {"etat": "done", "renvoyer-reason": "Les tests manquent."}
    )
    assert response.status_code == 302
    assert TaskChange.objects.filter(task=task, kind="sent_back").get().reason == (
        "Les tests manquent."
    )


def test_the_task_page_shows_its_history_and_a_clean_description(need, gus, people):
    task = task_on(need, gus, description="<script>alert(1)</script>**Fait** bien")
    task.take(gus)
    html = people["visitor"].get(task.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<strong>Fait</strong>" in html
    assert "a créé la tâche" in html and "a pris la tâche" in html
    assert "(À faire → En cours)" in html
    assert people["visitor"].get(reverse("board:task", args=[2**63])).status_code == 404


def test_filters_by_state_label_need_mission_and_assignee(need, gus, bob, alice, people):
    labelled = task_on(need, gus, title="Étiquetée", labels=["doc"])
    taken = task_on(need, gus, title="Prise")
    taken.take(bob)
    mission = funded_mission(gus, alice)
    funded = task_on(mission.need, gus, title="Financée", mission=mission)
    cases = {
        "label=doc": {"Étiquetée"},
        "state=doing": {"Prise"},
        f"assignee={bob.number}": {"Prise"},
        f"mission={mission.pk}": {"Financée"},
        f"need={need.pk}": {"Étiquetée", "Prise"},
    }
    titles = {t.title for t in (labelled, taken, funded)}
    for query, expected in cases.items():
        for name in ("board:board", "board:list"):
            html = people["visitor"].get(reverse(name) + "?" + query).content.decode()
            shown = {title for title in titles if f">{title}</a>" in html}
            assert shown == expected, (name, query)


@pytest.mark.parametrize(
    "query", ["need=abc", "assignee=-1", "state=nope", "mission=99999999999999999999"]
)
def test_bad_filters_answer_400_with_the_field_error_never_500(people, query):
    response = people["visitor"].get(reverse("board:board") + "?" + query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_the_list_pages_by_id_and_costs_the_same_on_any_page(
    need, gus, people, django_assert_max_num_queries
):
    for i in range(120):
        task = task_on(need, gus, title=f"Tâche {i:03}", labels=["lot"])
        if i % 3 == 0:
            task.take(gus)
    client = people["member"]
    url, seen = reverse("board:list") + "?label=lot", []
    while url:
        with django_assert_max_num_queries(BOARD_QUERIES):
            response = client.get(url)
        seen += [t.pk for t in response.context["tasks"]]
        next_url = response.context["next_url"]
        url = reverse("board:list") + next_url if next_url else ""
    assert seen == sorted(Task.objects.values_list("pk", flat=True), reverse=True)
    assert response.context["next_url"] == ""


@pytest.mark.parametrize("count", [1, 40])
def test_the_board_is_bounded_in_queries(
    need, gus, bob, alice, people, django_assert_max_num_queries, count
):
    mission = funded_mission(gus, alice)
    for i in range(count):
        task = task_on(mission.need, bob, title=f"T{i}", labels=["a", "b"], mission=mission)
        task.take(bob)
        if i % 2:
            task.finish(bob)
    for role in ("visitor", "member", "officer"):
        with django_assert_max_num_queries(BOARD_QUERIES):
            assert people[role].get(reverse("board:board")).status_code == 200
    task = Task.objects.first()
    for role in ("visitor", "member"):
        with django_assert_max_num_queries(BOARD_QUERIES):
            assert people[role].get(task.get_absolute_url()).status_code == 200


def test_a_member_creates_a_task_on_a_need_with_a_funding_mission(alice, gus, bob):
    mission = funded_mission(gus, alice)
    url = reverse("board:task_new", args=[mission.need.pk])
    client = client_for(bob.user)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Relire la doc",
            "description": "Tout **relire**.",
            "mission": str(mission.pk),
            "labels": "doc, relecture",
            "slots": "2",
            "links": "https://forge.example.org/coop/x/-/merge_requests/3",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert task.mission == mission and task.slots == 2 and task.created_by == bob
    bad = client.post(url, {"title": "x", "slots": "1", "links": "javascript:alert(1)"})
    assert bad.status_code == 422 and Task.objects.count() == 1


def test_visitors_are_asked_to_log_in_and_applicants_refused_a_new_task(need, people):
    url = reverse("board:task_new", args=[need.pk])
    assert people["visitor"].get(url).status_code == 302
    assert people["applicant"].get(url).status_code == 403


def test_my_tasks_list_what_i_took_and_the_a_faire_page_shows_them(need, gus, bob):
    mine = task_on(need, bob, title="La mienne")
    mine.take(gus)
    task_on(need, bob, title="Pas la mienne")
    client = client_for(gus.user)
    for url in (reverse("board:mine"), reverse("notifications:awaits")):
        html = client.get(url).content.decode()
        assert "La mienne" in html and "Pas la mienne" not in html, url


@pytest.mark.parametrize("count", [1, 15])
def test_my_tasks_and_a_faire_are_bounded_in_queries(
    need, bob, gus, django_assert_max_num_queries, count
):
    for i in range(count):
        task_on(need, bob, title=f"T{i}", labels=["x"]).take(gus)
    client = client_for(gus.user)
    with django_assert_max_num_queries(BOARD_QUERIES):
        assert client.get(reverse("board:mine")).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("notifications:awaits")).status_code == 200


def test_the_creator_edits_a_task_through_its_page_and_others_cannot(need, gus, bob, people):
    from commun.conftest import category, make_member

    task = task_on(need, gus)
    url = reverse("board:edit", args=[task.pk])
    client = client_for(gus.user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Nouveau titre", "slots": "1", "etat": "todo"})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).title == "Nouveau titre"
    stale = client.post(url, {"title": "Encore", "slots": "1", "etat": "done"})
    assert stale.status_code == 409
    other = make_member("hana@example.org", "Hana", "Roux", category("Partenaires"))
    assert client_for(other.user).post(url, {"title": "Pirate", "slots": "1"}).status_code == 403
    assert people["visitor"].post(url, {"title": "Pirate", "slots": "1"}).status_code == 302
    assert Task.objects.get(pk=task.pk).title == "Nouveau titre"


def test_a_visitor_cannot_tie_a_pseudonym_to_its_number_by_filtering(need, gus, bob, people):
    task_on(need, gus, title="Celle de Gus").take(gus)
    Member.objects.filter(pk=gus.pk).update(public_visibility="pseudonym", pseudonym="gugus")
    url = reverse("board:list") + f"?assignee={gus.number}"
    assert "Celle de Gus" not in people["visitor"].get(url).content.decode()
    assert "Celle de Gus" in people["member"].get(url).content.decode()
    Member.objects.filter(pk=gus.pk).update(public_visibility="hidden")
    assert "Celle de Gus" in people["visitor"].get(url).content.decode()


@pytest.mark.parametrize("count", [1, 40])
@pytest.mark.parametrize("page", ["board:board", "board:list"])
def test_every_filter_of_the_board_and_the_list_is_bounded_in_queries(
    need, gus, bob, alice, people, django_assert_max_num_queries, count, page
):
    mission = funded_mission(gus, alice)
    for i in range(count):
        task = task_on(mission.need, bob, title=f"T{i}", labels=["a", "b"], mission=mission)
        task.take(gus)
        if i % 2:
            task.finish(gus)
    filters = [
        f"need={mission.need.pk}",
        f"mission={mission.pk}",
        "label=a",
        f"assignee={gus.number}",
        "state=done",
    ]
    for role in ("visitor", "member"):
        for query in filters:
            with django_assert_max_num_queries(BOARD_QUERIES):
                response = people[role].get(reverse(page) + "?" + query)
            assert response.status_code == 200, (role, query)
    labelled = people["member"].get(reverse(page) + "?label=a&state=doing")
    shown = labelled.context["tasks" if page == "board:list" else "columns"]
    if page == "board:board":
        shown = [task for column in shown for task in column["tasks"]]
    assert {task.state for task in shown} == {"doing"} and len(shown) == min(count // 2 + 1, 20)
