"""What the issue asks the board to survive, on the pages and the API alike: an unknown
state, a due date in year 99999, a 10 MB description, a CSV whose line 7 is wrong. Each
gets a translated error on its field (422 on the API, with details) and nothing is written.

Bob raised the need; Gus is a member who writes tasks on it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commun.board.models import MAX_TEXT_LENGTH, Assignment, Label, Task, TaskChange
from commun.conftest import client_for
from commun.testing.api import API, bearer, call
from commun.testing.board import task_on

pytestmark = pytest.mark.django_db

TEN_MEGABYTES = "x" * (10 * 1024 * 1024)
CSV_WITH_A_BAD_LINE_7 = (
    "Title,Status\n"
    "Un,Todo\n"
    "Deux,Todo\n"
    "Trois,Todo\n"
    "Quatre,Todo\n"
    "Cinq,Todo\n"
    "Sept,Bloquée\n"
    "Huit,Todo\n"
)


def nothing_written():
    return not (
        Task.objects.exists()
        or TaskChange.objects.exists()
        or Label.objects.exists()
        or Assignment.objects.exists()
    )


def new_task(client, need, **fields):
    data = {"title": "Relire la doc", "slots": "1"} | fields
    return client.post(reverse("board:task_new", args=[need.pk]), data)


def field_errors(response, field) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def test_a_due_date_in_year_99999_is_a_translated_field_error_on_the_page(need, gus):
    response = new_task(client_for(gus.user), need, due_on="99999-01-01")
    assert response.status_code == 422
    assert field_errors(response, "due_on") == ["Saisissez une date valide."]
    assert nothing_written()


def test_a_due_date_in_year_99999_is_a_422_with_details_on_the_api(need, gus):
    body = {"need_id": need.pk, "title": "x", "due_on": "99999-01-01"}
    response = call(bearer(gus.user), "POST", "/tasks", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "due_on"]
    assert nothing_written()


def test_a_description_over_its_maximum_is_a_field_error_on_the_page_and_the_api(need, gus):
    too_long = "x" * (MAX_TEXT_LENGTH + 1)
    page = new_task(client_for(gus.user), need, description=too_long)
    assert page.status_code == 422
    assert field_errors(page, "description") == [
        f"Assurez-vous que cette valeur comporte au plus {MAX_TEXT_LENGTH} caractères "
        f"(actuellement {MAX_TEXT_LENGTH + 1})."
    ]
    body = {"need_id": need.pk, "title": "x", "description": too_long}
    api = call(bearer(gus.user), "POST", "/tasks", body)
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"][-1] == "description"
    assert nothing_written()


def test_a_10_mb_description_is_refused_whole_never_a_500(need, gus):
    page = new_task(client_for(gus.user), need, description=TEN_MEGABYTES)
    assert page.status_code == 400
    body = {"need_id": need.pk, "title": "x", "description": TEN_MEGABYTES}
    api = call(bearer(gus.user), "POST", "/tasks", body)
    assert api.status_code == 413 and api.json()["detail"]
    assert nothing_written()


def test_a_10_mb_description_on_an_edit_changes_nothing(need, gus):
    task = task_on(need, gus, description="Avant.")
    page = client_for(gus.user).post(
        reverse("board:edit", args=[task.pk]),
        {"title": task.title, "slots": "1", "description": TEN_MEGABYTES, "etat": "todo"},
    )
    assert page.status_code == 400
    body = {"title": task.title, "description": TEN_MEGABYTES}
    api = call(bearer(gus.user), "PUT", f"/tasks/{task.pk}", body)
    assert api.status_code == 413
    task.refresh_from_db()
    assert task.description == "Avant." and task.changes.count() == 1


def test_an_unknown_state_is_a_field_error_on_the_board_the_list_and_the_api(need, gus):
    task_on(need, gus)
    client = client_for(gus.user)
    for name in ("board:board", "board:list"):
        response = client.get(reverse(name) + "?state=bloquee")
        assert response.status_code == 400
        assert "Sélectionnez un choix valide" in response.content.decode()
    api = call(bearer(gus.user), "GET", "/tasks?state=bloquee")
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "state"


def test_an_unknown_state_read_by_a_card_moves_nothing(need, gus):
    task = task_on(need, gus)
    url = reverse("board:action", args=[task.pk, "prendre"])
    response = client_for(gus.user).post(url, {"etat": "bloquee"})
    assert response.status_code in (409, 422)
    api = call(bearer(gus.user), "POST", f"/tasks/{task.pk}/take", {"expected_state": "bloquee"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "expected_state"
    task.refresh_from_db()
    assert task.state == "todo" and task.changes.count() == 1


def test_a_csv_with_a_bad_line_7_names_line_7_and_writes_nothing(need, bob):
    upload = SimpleUploadedFile("taches.csv", CSV_WITH_A_BAD_LINE_7.encode(), "text/csv")
    page = client_for(bob.user).post(reverse("board:import", args=[need.pk]), {"file": upload})
    assert page.status_code == 422
    assert "Ligne 7 : état inconnu « Bloquée »" in page.content.decode()
    assert nothing_written()
    upload.seek(0)
    api = bearer(bob.user).post(f"{API}/needs/{need.pk}/tasks/import", {"file": upload})
    assert api.status_code == 422
    assert [error["loc"] for error in api.json()["detail"]] == [["body", "file", 7]]
    assert nothing_written()
