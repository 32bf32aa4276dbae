"""Estimates have their own queue and their own worker, so that no email waits ahead of
them; one member may queue only so many distinct estimates a minute; an estimate no worker
has taken says so instead of « en cours » for ever; a draft's page never computes its cost
in the request. The tasks go through the database, as in production."""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from commun.budgets import models, tasks
from commun.core.management.commands import serve
from commun.core.management.commands.worker import Command as WorkerCommand
from commun.core.tasks import send_email
from commun.lib import payroll
from commun.testing.api import answer_schema, bearer, call
from commun.testing.budgets import (
    CHARTER,
    CHARTER_COST_CENTS,
    CHARTER_FORM,
    draft,
    need_by,
    shown,
    slowed_engine,
    timed,
)
from commun.testing.workers import TASKS_IN_DATABASE, run_queued_tasks

FORM = CHARTER_FORM
API_TERMS = CHARTER | {"start_on": CHARTER["start_on"].isoformat()}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def queued(settings, monkeypatch):
    """Tasks queued in the database, run only when the test runs a worker; the engine
    loaded, as once a process has started; requests that do not wait for the worker."""
    payroll._tax_benefit_system()
    settings.TASKS = TASKS_IN_DATABASE
    monkeypatch.setattr(models, "ESTIMATE_WAIT_SECONDS", 0)


@pytest.fixture
def slow_engine(monkeypatch, queued):
    """OpenFisca as under load: each estimate takes 2 s."""
    slowed_engine(monkeypatch)


def clock_moved(monkeypatch, seconds: int):
    moved = timezone.now() + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_an_estimate_is_queued_on_its_own_queue(people, bob, queued):
    people["member"].post(reverse("budgets:estimate", args=[need_by(bob).pk]), FORM, headers=HTMX)

    assert list(DBTaskResult.objects.values_list("queue_name", flat=True)) == ["estimates"]


def test_serve_starts_a_worker_for_the_estimates_alone_beside_the_other(settings):
    settings.TASKS = TASKS_IN_DATABASE
    commands = serve.worker_commands()

    parser = WorkerCommand().create_parser("commun", "worker")
    queues = [parser.parse_args(command[4:]).queue_name for command in commands]
    assert queues == ["default", "estimates"]
    assert parser.parse_args([]).queue_name == "*"  # alone, a worker takes them all
    assert [command[:4] for command in commands] == [serve.WORKER] * 2
    # The periodic jobs are scheduled once, by the worker of everything else.
    assert "--no-schedule" in commands[1] and "--no-schedule" not in commands[0]


def test_an_estimate_queued_after_many_emails_is_computed_first(people, bob, queued):
    for number in range(50):
        send_email.enqueue([f"member{number}@example.org"], "Convocation", "L'ordre du jour.")
    url = reverse("budgets:estimate", args=[need_by(bob).pk])
    assert "Calcul du coût en cours" in people["member"].post(url, FORM, headers=HTMX).text

    # The queues the estimates' worker of `commun serve` takes, read from its command line.
    parser = WorkerCommand().create_parser("commun", "worker")
    queues = parser.parse_args(serve.worker_commands()[1][4:]).queue_name.split(",")
    assert run_queued_tasks(tuple(queues)) == 1

    assert people["member"].post(url, FORM, headers=HTMX).context["cost"].total_cents == (
        CHARTER_COST_CENTS
    )
    assert mail.outbox == []
    assert DBTaskResult.objects.ready().filter(queue_name="default").count() == 50


def test_an_estimate_the_worker_finished_past_the_wait_answers_this_request(
    people, bob, queued, monkeypatch
):
    """A loaded machine: the worker's answer lands after the wait has run out (here none),
    and the request still reads it rather than show the progress."""
    claim = payroll.EstimatePending.claim

    def claimed_and_computed_late(pending):
        claimed = claim(pending)
        payroll.compute_estimate(pending.arguments)
        return claimed

    monkeypatch.setattr(payroll.EstimatePending, "claim", claimed_and_computed_late)
    url = reverse("budgets:estimate", args=[need_by(bob).pk])

    partial = people["member"].post(url, FORM, headers=HTMX)

    assert partial.context["cost"].total_cents == CHARTER_COST_CENTS


def distinct_terms(count: int):
    """`count` forms that each ask for a different estimate."""
    return [FORM | {"monthly_amount": str(2000 + number)} for number in range(count)]


def test_a_member_over_the_cap_is_refused_in_words_and_another_is_not(people, bob, queued):
    url = reverse("budgets:estimate", args=[need_by(bob).pk])
    for form in distinct_terms(tasks.MAX_ESTIMATES_PER_MINUTE):
        assert "Calcul du coût en cours" in people["member"].post(url, form, headers=HTMX).text

    over = FORM | {"monthly_amount": "3000"}
    refused = people["member"].post(url, over, headers=HTMX)

    assert "trop d&#x27;estimations" in refused.text
    assert "Calcul du coût en cours" not in refused.text
    english = people["member"].post(url, over, headers=HTMX | {"Accept-Language": "en"})
    assert "too many" in english.text
    assert DBTaskResult.objects.count() == tasks.MAX_ESTIMATES_PER_MINUTE
    # An estimate already queued is still followed, and another member is not held back.
    assert "Calcul du coût en cours" in people["member"].post(url, FORM, headers=HTMX).text
    assert "Calcul du coût en cours" in people["officer"].post(url, over, headers=HTMX).text
    assert DBTaskResult.objects.count() == tasks.MAX_ESTIMATES_PER_MINUTE + 1


def test_the_cap_holds_across_the_page_and_the_api_with_429_and_retry_after(bob, queued):
    client = bearer(bob.user)
    for number in range(tasks.MAX_ESTIMATES_PER_MINUTE):
        terms = API_TERMS | {"monthly_amount_cents": 200_000 + number}
        assert call(client, "POST", "/missions/estimate", terms).status_code == 202

    refused = call(client, "POST", "/missions/estimate", API_TERMS | {"monthly_amount_cents": 1})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "trop d'estimations" in refused.json()["detail"]
    assert DBTaskResult.objects.count() == tasks.MAX_ESTIMATES_PER_MINUTE


def test_an_estimate_no_worker_took_says_so_and_what_to_do(people, bob, queued, monkeypatch):
    url = reverse("budgets:estimate", args=[need_by(bob).pk])
    assert "Calcul du coût en cours" in people["member"].post(url, FORM, headers=HTMX).text

    clock_moved(monkeypatch, tasks.NOT_STARTED_SECONDS + 1)
    waiting = people["member"].post(url, FORM, headers=HTMX)

    assert "n&#x27;a pas commencé" in waiting.text and "commun serve" in waiting.text
    assert "Calcul du coût en cours" not in waiting.text
    assert 'role="status"' in waiting.text  # still asks, so the cost shows once a worker runs
    english = people["member"].post(url, FORM, headers=HTMX | {"Accept-Language": "en"})
    assert "has not started" in english.text
    assert DBTaskResult.objects.count() == 1  # not queued again meanwhile

    run_queued_tasks()
    done = people["member"].post(url, FORM, headers=HTMX)
    assert done.context["cost"].total_cents == CHARTER_COST_CENTS


def test_an_api_estimate_no_worker_took_answers_503_in_words(bob, queued, monkeypatch):
    client = bearer(bob.user)
    poll = call(client, "POST", "/missions/estimate", API_TERMS)["Location"]
    assert client.get(poll).status_code == 202

    clock_moved(monkeypatch, tasks.NOT_STARTED_SECONDS + 1)
    answer = client.get(poll)

    assert answer.status_code == 503
    assert "n'a pas commencé" in answer.json()["detail"]
    assert "commun serve" in answer.json()["detail"]
    assert answer.json()["poll"] == poll and answer["Retry-After"]

    run_queued_tasks()
    assert client.get(poll).status_code == 200


def test_a_draft_page_shows_progress_at_once_then_the_cost(people, bob, slow_engine):
    """The page waits for the worker as in production (MISSION_PAGE_WAIT_SECONDS)."""
    mission = draft(bob, **CHARTER)
    cache.clear()  # a new day: the estimate is no longer known

    page, elapsed = timed(lambda: people["member"].get(mission.get_absolute_url()))

    assert elapsed < 1
    assert page.status_code == 200
    assert "Calcul du coût en cours" in page.text
    poll = reverse("budgets:mission_cost", args=[mission.pk])
    assert f'hx-get="{poll}"' in page.text and 'hx-trigger="load delay:1s"' in page.text
    assert DBTaskResult.objects.count() == 1

    assert run_queued_tasks() == 1
    assert shown(CHARTER_COST_CENTS) in people["member"].get(mission.get_absolute_url()).text
    fragment, elapsed = timed(lambda: people["member"].get(poll, headers=HTMX))
    assert elapsed < 0.5
    assert fragment.context["cost"].total_cents == CHARTER_COST_CENTS
    assert "Calcul du coût en cours" not in fragment.text


def test_only_who_sees_the_draft_reads_its_cost(people, bob):
    mission = draft(bob, **CHARTER)
    poll = reverse("budgets:mission_cost", args=[mission.pk])

    assert people["member"].get(poll, headers=HTMX).status_code == 200
    assert people["officer"].get(poll, headers=HTMX).status_code == 404
    assert people["visitor"].get(poll, headers=HTMX).status_code == 302


def test_the_api_declares_its_429_and_503_in_its_openapi_document(bob, queued, monkeypatch):
    """A client generated from the document knows the refusals it must wait out; each
    answer carries exactly what its declared schema requires."""
    document = bearer(bob.user).get("/api/v1/openapi.json").json()
    client = bearer(bob.user)
    for number in range(tasks.MAX_ESTIMATES_PER_MINUTE):
        terms = API_TERMS | {"monthly_amount_cents": 200_000 + number}
        call(client, "POST", "/missions/estimate", terms)
    refused = call(client, "POST", "/missions/estimate", API_TERMS | {"monthly_amount_cents": 1})
    poll = call(client, "POST", "/missions/estimate", API_TERMS | {"monthly_amount_cents": 200_000})
    clock_moved(monkeypatch, tasks.NOT_STARTED_SECONDS + 1)
    waiting = client.get(poll["Location"])

    for path, method in (("/missions/estimate", "post"), ("/missions/estimates/{ticket}", "get")):
        for status, answer in ((429, refused), (503, waiting)):
            schema = answer_schema(document, method, path, status)
            assert set(schema["required"]) <= set(answer.json()) <= set(schema["properties"])
    assert "poll" in answer_schema(document, "post", "/missions/estimate", 503)["properties"]
