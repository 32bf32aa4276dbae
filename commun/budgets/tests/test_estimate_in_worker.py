"""An estimate never holds a request for more than about a second: one the cache does not
have is computed by the task worker, and the page shows its progress (the API answers 202
with where to ask again) until the cache has it. Here the engine takes 2 s, and the
worker is run by the test when it says so; the tasks go through the database, as in
production."""

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from commun.budgets.models import Mission
from commun.lib import payroll
from commun.testing.api import bearer, call
from commun.testing.budgets import (
    CHARTER,
    CHARTER_COST_CENTS,
    CHARTER_FORM,
    as_json,
    need_by,
    shown,
    slowed_engine,
    timed,
)
from commun.testing.workers import TASKS_IN_DATABASE, run_queued_tasks

HTMX = {"HX-Request": "true"}


@pytest.fixture
def queued(settings):
    """Tasks queued in the database, run only when the test runs the worker; the engine
    loaded, as once a process has started."""
    payroll._tax_benefit_system()
    settings.TASKS = TASKS_IN_DATABASE


@pytest.fixture
def slow_engine(monkeypatch, queued):
    """OpenFisca as under load: each estimate takes 2 s."""
    slowed_engine(monkeypatch)


def test_a_slow_estimate_shows_progress_then_the_cost_the_worker_computed(people, bob, slow_engine):
    need = need_by(bob)
    url = reverse("budgets:estimate", args=[need.pk])

    partial, elapsed = timed(lambda: people["member"].post(url, CHARTER_FORM, headers=HTMX))

    assert elapsed < 1.5
    page = partial.content.decode()
    assert "Calcul du coût en cours" in page and 'role="status"' in page
    assert 'hx-trigger="load delay:1s"' in page and f'hx-post="{url}"' in page
    assert 'hx-include="#mission-form"' in page
    assert 'form="mission-form" name="estimate"' in page  # « Actualiser » without JavaScript
    assert "cost" not in partial.context

    # A poll before the worker has run: still in progress, and not queued twice.
    again, elapsed = timed(lambda: people["member"].post(url, CHARTER_FORM, headers=HTMX))
    assert elapsed < 1.5
    assert "Calcul du coût en cours" in again.content.decode()

    assert run_queued_tasks() == 1

    done, elapsed = timed(lambda: people["member"].post(url, CHARTER_FORM, headers=HTMX))
    assert elapsed < 0.5
    assert done.context["cost"].total_cents == CHARTER_COST_CENTS
    assert "Calcul du coût en cours" not in done.content.decode()
    assert Mission.objects.count() == 0


def test_the_estimate_button_without_javascript_shows_progress_then_refreshes(
    people, bob, slow_engine
):
    need = need_by(bob)
    url = reverse("budgets:mission_new", args=[need.pk])

    response, elapsed = timed(lambda: people["member"].post(url, CHARTER_FORM | {"estimate": "1"}))

    assert elapsed < 1.5
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="mission-form"' in page and "Calcul du coût en cours" in page
    assert "Actualiser" in page

    run_queued_tasks()
    # « Actualiser » sends the form again, with its « estimate » button.
    response = people["member"].post(url, CHARTER_FORM | {"estimate": "1"})
    assert shown(CHARTER_COST_CENTS) in response.content.decode()
    assert Mission.objects.count() == 0


def test_a_fast_engine_still_answers_in_the_request(people, bob, queued, monkeypatch):
    """A worker that has it within the wait: the page shows the cost at once."""
    need = need_by(bob)
    url = reverse("budgets:estimate", args=[need.pk])
    enqueue = payroll.EstimatePending.claim

    def claimed_and_computed_at_once(pending):
        claimed = enqueue(pending)
        payroll.compute_estimate(pending.arguments)  # the worker, quicker than the wait
        return claimed

    monkeypatch.setattr(payroll.EstimatePending, "claim", claimed_and_computed_at_once)

    partial = people["member"].post(url, CHARTER_FORM, headers=HTMX)

    assert partial.context["cost"].total_cents == CHARTER_COST_CENTS
    assert "Calcul du coût en cours" not in partial.content.decode()


def test_a_failed_computation_shows_an_error_in_words_not_a_500(people, bob, queued, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("OpenFisca broke")

    monkeypatch.setattr(payroll, "_openfisca_cost", broken)
    need = need_by(bob)
    url = reverse("budgets:estimate", args=[need.pk])
    people["member"].post(url, CHARTER_FORM, headers=HTMX)

    run_queued_tasks()
    partial = people["member"].post(url, CHARTER_FORM, headers=HTMX)

    assert partial.status_code == 200
    page = partial.content.decode()
    assert "Le coût n&#x27;a pas pu être calculé" in page
    assert "Calcul du coût en cours" not in page
    english = people["member"].post(url, CHARTER_FORM, headers=HTMX | {"Accept-Language": "en"})
    assert "The cost could not be computed" in english.content.decode()


def test_a_visitor_cannot_ask_for_an_estimate_or_its_progress(people, bob, slow_engine):
    need = need_by(bob)
    url = reverse("budgets:estimate", args=[need.pk])

    answer = people["visitor"].post(url, CHARTER_FORM, headers=HTMX)

    assert answer.status_code == 302 and "/compte/login/" in answer["Location"]
    assert run_queued_tasks() == 0


def test_a_slow_api_estimate_answers_202_then_the_estimate(bob, slow_engine):
    client = bearer(bob.user)

    answer, elapsed = timed(lambda: call(client, "POST", "/missions/estimate", as_json(CHARTER)))

    assert elapsed < 1.5
    assert answer.status_code == 202, answer.json()
    assert answer["Retry-After"] == "1"
    poll = answer["Location"]
    assert poll.startswith("/api/v1/missions/estimates/") and answer.json()["poll"] == poll
    assert client.get(poll).status_code == 202

    run_queued_tasks()
    answer, elapsed = timed(lambda: client.get(poll))

    assert elapsed < 0.5
    assert answer.status_code == 200, answer.json()
    assert answer.json()["full_cost_cents"] == CHARTER_COST_CENTS
    assert answer.json()["breakdown"]["engine"] == "openfisca-france"


def test_only_its_asker_reads_an_estimate_in_progress(alice, bob, gus, slow_engine):
    answer = call(bearer(bob.user), "POST", "/missions/estimate", as_json(CHARTER))
    poll = answer["Location"]
    run_queued_tasks()

    assert call(bearer(gus.user), "GET", poll.removeprefix("/api/v1")).status_code == 404
    assert call(bearer(alice.user), "GET", poll.removeprefix("/api/v1")).status_code == 404
    assert Client().get(poll).status_code == 401
    forged = call(bearer(bob.user), "GET", "/missions/estimates/" + "A" * 32)
    assert forged.status_code == 404
    assert forged.json()["detail"]
    assert bearer(bob.user).get(poll).status_code == 200


def test_a_failed_api_estimate_answers_422_in_words(bob, queued, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("OpenFisca broke")

    monkeypatch.setattr(payroll, "_openfisca_cost", broken)
    client = bearer(bob.user)
    poll = call(client, "POST", "/missions/estimate", as_json(CHARTER))["Location"]

    run_queued_tasks()
    answer = client.get(poll)

    assert answer.status_code == 422
    assert "pas pu être calculé" in str(answer.json()["detail"])


def test_the_worker_computes_an_estimate_once_however_often_it_is_polled(people, bob, slow_engine):
    need = need_by(bob)
    url = reverse("budgets:estimate", args=[need.pk])
    for _poll in range(3):
        people["member"].post(url, CHARTER_FORM, headers=HTMX)
    call(bearer(bob.user), "POST", "/missions/estimate", as_json(CHARTER))

    assert DBTaskResult.objects.count() == 1


def test_an_engine_that_cannot_be_built_still_ends_the_wait(monkeypatch):
    """OpenFisca-France installed but not buildable: the request would answer with the plain
    ratios, so the worker leaves that answer for the page that waits, never « en cours »
    for ever."""
    terms = {
        "contract": "cdd",
        "monthly_net_cents": 200_000,
        "months": 6,
        "start": payroll.date(2026, 1, 1),
    }
    with pytest.raises(payroll.EstimatePending) as pending:
        payroll.salaried_cost(**terms, compute=False)
    monkeypatch.setattr(payroll, "_tax_benefit_system", lambda: None)
    payroll.compute_estimate(pending.value.arguments)
    estimate = payroll.salaried_cost(**terms, compute=False)
    assert estimate == payroll.salaried_cost(**terms)
