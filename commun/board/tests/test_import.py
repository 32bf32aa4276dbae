"""Tasks imported from a forge's CSV: checked whole, with line numbers, then written whole.

Bob raised the need; Gus (gus@example.org) and Bob take the imported tasks.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commun.board import imports
from commun.board.models import Assignment, Task, TaskChange
from commun.budgets.models import Need
from commun.conftest import client_for
from commun.testing.api import API, bearer

pytestmark = pytest.mark.django_db

GOOD = (
    "Title,URL,Status,Assignees,Labels\n"
    'Écrire la doc,https://forge.example.org/coop/app/-/issues/1,Todo,,"doc, débutant"\n'
    "Corriger le bug,https://forge.example.org/coop/app/-/issues/2,In Progress,"
    "{gus},bug\n"
    'Livrer la version,,Done,"0{gus}, {bob}",\n'
)


def upload(text, name="taches.csv"):
    data = text if isinstance(text, bytes) else text.encode()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def url(need):
    return reverse("board:import", args=[need.pk])


def test_a_good_file_creates_the_tasks_with_states_labels_links_and_assignees(need, gus, bob):
    page = client_for(bob.user).post(
        url(need), {"file": upload(GOOD.format(bob=bob.number, gus=gus.number))}
    )
    assert page.status_code == 302
    doc, bug, release = Task.objects.order_by("pk")
    assert (doc.title, doc.state, doc.need_id) == ("Écrire la doc", "todo", need.pk)
    assert sorted(label.name for label in doc.labels.all()) == ["doc", "débutant"]
    assert doc.links == ["https://forge.example.org/coop/app/-/issues/1"]
    assert not doc.assignees.exists()
    assert (bug.state, list(bug.assignees.all())) == ("doing", [gus])
    assert release.state == "done" and release.slots == 2
    assert set(release.assignees.all()) == {gus, bob}
    change = TaskChange.objects.get(task=release)
    assert (change.by, change.kind, change.to_state) == (bob, "created", "done")
    assert "ligne 4" in change.reason


def test_french_headers_and_a_semicolon_are_read_too(need, gus):
    text = "Titre;État;Personnes;Étiquettes\nTraduire;En cours;" + str(gus.number) + ";i18n\n"
    (task,) = imports.import_tasks(gus, need, text.encode()).tasks
    assert (task.state, list(task.assignees.all())) == ("doing", [gus])
    assert [label.name for label in task.labels.all()] == ["i18n"]


def test_someone_on_a_todo_task_puts_it_en_cours_as_taking_it_does(need, gus):
    (task,) = imports.import_tasks(
        gus, need, b"Title,Status,Assignees\nA,Todo,gus@example.org\n"
    ).tasks
    assert task.state == "doing"


def test_a_file_with_two_bad_lines_writes_nothing_and_names_both(need, gus, bob):
    text = (
        "Title,Status,Assignees\n"
        "Bonne,Todo,\n"
        ",Todo,\n"
        "Autre bonne,Done,gus@example.org\n"
        "Mauvaise,Blocked,personne@example.org\n"
    )
    page = client_for(bob.user).post(url(need), {"file": upload(text)})
    html = page.content.decode()
    assert page.status_code == 422
    assert "Ligne 3 : donnez un titre" in html
    assert "Ligne 5 : état inconnu « Blocked »" in html
    assert "Ligne 5 : « personne@example.org » n&#x27;est pas" in html
    assert not Task.objects.exists() and not TaskChange.objects.exists()
    assert not Assignment.objects.exists()


def test_a_task_en_cours_without_anyone_is_a_line_error(need, gus):
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_tasks(gus, need, b"Title,Status\nA,Todo\nB,Doing\n")
    assert [e.line for e in refused.value.line_errors] == [3]


def test_a_link_that_is_not_an_address_is_a_line_error(need, gus):
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_tasks(gus, need, b"Title,URL\nA,javascript:alert(1)\n")
    assert refused.value.line_errors[0].line == 2


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \n\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"URL,Status\nhttps://example.org,Todo\n",
        b"Title\n",
        b"\xff\xfeT\x00i\x00t\x00l\x00e\x00",  # UTF-16
        b"Title\n\x81\x8d\x8f\n",  # neither UTF-8 nor Windows-1252
        b"Title\nA\x07B\n",
        b"Title\n" + b"x\n" * (imports.MAX_LINES + 1),
    ],
    ids=["empty", "blank", "png", "no-title", "no-line", "utf16", "undecodable", "bell", "long"],
)
def test_a_bad_file_is_refused_with_a_message_never_a_500(need, bob, raw):
    page = client_for(bob.user).post(url(need), {"file": upload(raw)})
    assert page.status_code == 422
    assert "Ligne " in page.content.decode() or not raw  # Django names an empty file itself
    assert not Task.objects.exists()


def test_a_windows_1252_file_from_a_spreadsheet_is_read(need, gus):
    (task,) = imports.import_tasks(gus, need, "Titre\nRédiger\n".encode("cp1252")).tasks
    assert task.title == "Rédiger"


def test_a_file_over_a_megabyte_is_refused(need, bob):
    raw = b"Title\n" + b"x" * (imports.MAX_BYTES + 10)
    page = client_for(bob.user).post(url(need), {"file": upload(raw)})
    assert page.status_code == 422 and "1 Mo" in page.content.decode()


def test_a_visitor_is_sent_to_log_in_and_a_non_member_refused(need, people):
    assert people["visitor"].get(url(need)).status_code == 302
    for who in ("account", "applicant"):
        page = people[who].post(url(need), {"file": upload("Title\nA\n")})
        assert page.status_code == 403
    assert not Task.objects.exists()


def test_the_model_refuses_a_non_member_too(need, people, dan):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        imports.import_tasks(dan, need, b"Title\nA\n")


def test_a_member_sees_the_form(need, people):
    page = people["member"].get(url(need))
    assert page.status_code == 200 and 'type="file"' in page.content.decode()


def test_importing_does_not_cost_queries_per_line(need, gus, bob, django_assert_max_num_queries):
    lines = "".join(
        f'T{i},https://example.org/{i},Done,{gus.number},"a,b{i % 3}"\n' for i in range(300)
    )
    client = client_for(bob.user)
    # One query per task is the webhooks' "who listens" (sent for each task created).
    with django_assert_max_num_queries(30 + 300):
        page = client.post(
            url(need), {"file": upload("Title,URL,Status,Assignees,Labels\n" + lines)}
        )
    assert page.status_code == 302
    assert Task.objects.count() == 300 and Assignment.objects.count() == 300


def test_the_api_imports_the_same_file_and_lists_line_errors(need, gus, bob):
    client = bearer(bob.user)
    path = f"{API}/needs/{need.pk}/tasks/import"
    bad = client.post(path, {"file": upload("Title,Status\nA,Todo\nB,Blocked\n,Todo\n")})
    assert bad.status_code == 422
    assert [e["loc"] for e in bad.json()["detail"]] == [["body", "file", 3], ["body", "file", 4]]
    assert not Task.objects.exists()
    good = client.post(path, {"file": upload(GOOD.format(bob=bob.number, gus=gus.number))})
    assert good.status_code == 201 and good.json()["count"] == 3
    assert list(Task.objects.order_by("pk").values_list("pk", flat=True)) == good.json()["tasks"]


def test_the_api_refuses_a_non_member_and_an_unknown_need(need, dan, bob):
    path = f"{API}/needs/{need.pk}/tasks/import"
    assert bearer(dan).post(path, {"file": upload("Title\nA\n")}).status_code == 403
    missing = f"{API}/needs/{need.pk + 1000}/tasks/import"
    assert bearer(bob.user).post(missing, {"file": upload("Title\nA\n")}).status_code == 404
    assert not Task.objects.exists()


def test_a_need_met_or_dropped_takes_no_import(need, bob):
    Need.objects.filter(pk=need.pk).update(status=Need.Status.MET, status_reason="Fait")
    page = client_for(bob.user).post(url(need), {"file": upload("Title\nA\n")})
    assert page.status_code == 422 and "besoin ouvert ou en cours" in page.content.decode()
    assert not Task.objects.exists()


def test_a_need_page_offers_the_import_to_members_only(need, people):
    assert url(need) in people["member"].get(need.get_absolute_url()).content.decode()
    assert url(need) not in people["visitor"].get(need.get_absolute_url()).content.decode()


def test_a_member_names_others_by_number_only_an_officer_by_email(need, gus, bob, alice):
    """An email is read for an officer (the register shows them) or for oneself: a member
    must not learn from an import's answer who is behind an address."""
    others = b"Title,Status,Assignees\nA,Doing,gus@example.org\n"
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_tasks(bob, need, others)
    assert "donnez son numéro" in refused.value.line_errors[0].message
    assert not Task.objects.exists()

    mine_ = b"Title,Status,Assignees\nB,Doing,GUS@example.org\n"
    (mine,) = imports.import_tasks(gus, need, mine_).tasks
    (theirs,) = imports.import_tasks(alice, need, others).tasks
    assert list(mine.assignees.all()) == list(theirs.assignees.all()) == [gus]


def test_importing_the_same_file_twice_creates_its_tasks_once(need, gus, bob):
    text = GOOD.format(bob=bob.number, gus=gus.number)
    client = client_for(bob.user)
    assert client.post(url(need), {"file": upload(text)}).status_code == 302
    again = client.post(url(need), {"file": upload(text)}, follow=True)
    assert Task.objects.count() == 3 and TaskChange.objects.count() == 3
    html = again.content.decode()
    assert "Aucune tâche importée" in html
    assert "Déjà sur le tableau, lignes 2, 3, 4 : laissées de côté." in html


def test_a_task_already_there_is_matched_by_its_forge_address_else_its_title_on_the_need(need, gus):
    from commun.testing.budgets import need_by

    elsewhere = need_by(gus, title="Un autre besoin")
    there = "https://forge.example.org/coop/app/-/issues/9"
    Task.objects.create_task(gus, elsewhere, title="Renommée depuis", links=[there + "/"])
    Task.objects.create_task(gus, need, title="Écrire la doc")
    Task.objects.create_task(gus, elsewhere, title="Traduire")
    text = (
        "Title,URL\n"
        f"Autre titre,{there}\n"  # its issue is on the board already: skipped
        "écrire la doc,\n"  # the same title on this need, whatever its case: skipped
        "Traduire,\n"  # a title taken on another need only: imported
        "Écrire la doc,https://forge.example.org/coop/app/-/issues/10\n"  # a new issue
    )
    imported = imports.import_tasks(gus, need, text.encode())
    assert [task.title for task in imported.tasks] == ["Traduire", "Écrire la doc"]
    assert [line.line for line in imported.skipped] == [2, 3]


def test_the_api_says_which_lines_were_already_there(need, gus, bob):
    client = bearer(bob.user)
    path = f"{API}/needs/{need.pk}/tasks/import"
    first = client.post(path, {"file": upload("Title\nA\nB\n")})
    assert first.status_code == 201 and first.json()["skipped"] == []
    again = client.post(path, {"file": upload("Title\nA\nB\nC\n")})
    assert again.status_code == 201
    assert again.json()["count"] == 1 and again.json()["skipped"] == [2, 3]
    assert Task.objects.count() == 3
