"""The payroll engine loads once per process, at the start of the server and the worker;
while it loads, an estimate answers at once with « Calcul en cours… » (web) or a 503 to
retry (API), then the charter's figure, 24,403.44 €."""

import importlib
import sys
import threading
import time

import pytest
from django.urls import reverse

from commun.lib import payroll
from commun.testing.api import bearer, call
from commun.testing.budgets import (
    CHARTER,
    CHARTER_COST_CENTS,
    CHARTER_FORM,
    as_json,
    invoice,
    need_by,
    shown,
)


@pytest.fixture
def cold_engine(monkeypatch):
    """The engine as at a process's start: it loads until the test opens the gate."""
    system = payroll._tax_benefit_system()  # the real one, built once for the whole run
    gate = threading.Event()

    def slow_build():
        gate.wait(30)
        return system

    monkeypatch.setattr(payroll, "_build", slow_build)
    monkeypatch.setattr(payroll, "_system", [])
    monkeypatch.setattr(payroll, "_settled", threading.Event())
    monkeypatch.setattr(payroll, "_warm_up_thread", None)
    monkeypatch.setattr(payroll, "loads", 0)
    yield gate
    gate.set()
    if payroll._warm_up_thread is not None:
        payroll._warm_up_thread.join(5)


def loaded(gate: threading.Event) -> None:
    gate.set()
    payroll._warm_up_thread.join(5)


def test_the_engine_loads_once_however_many_ask_at_once(cold_engine):
    askers = [threading.Thread(target=payroll._tax_benefit_system) for _ in range(4)]
    for asker in askers:
        asker.start()
    assert payroll.warm_up() is payroll.warm_up()  # one warm-up thread, not two
    assert not payroll.engine_ready(0.05)

    cold_engine.set()
    for asker in askers:
        asker.join(5)
    payroll._warm_up_thread.join(5)

    assert payroll.loads == 1
    assert payroll.engine_ready()
    assert payroll.warm_up() is None  # nothing left to load


def test_a_cold_htmx_estimate_shows_progress_at_once_then_the_figure(people, bob, cold_engine):
    need = need_by(bob)
    url = reverse("budgets:estimate", args=[need.pk])

    started = time.monotonic()
    partial = people["member"].post(url, CHARTER_FORM, headers={"HX-Request": "true"})
    elapsed = time.monotonic() - started

    assert elapsed < 1.0
    page = partial.content.decode()
    assert "Calcul en cours" in page and 'role="status"' in page
    assert 'hx-trigger="load delay:1s"' in page and f'hx-post="{url}"' in page
    assert 'hx-include="#mission-form"' in page
    assert "cost" not in partial.context

    loaded(cold_engine)
    again = people["member"].post(url, CHARTER_FORM, headers={"HX-Request": "true"})

    assert again.context["cost"].total_cents == CHARTER_COST_CENTS
    assert "Calcul en cours" not in again.content.decode()
    assert payroll.loads == 1


def test_the_estimate_button_on_a_cold_engine_polls_from_the_form(people, bob, cold_engine):
    need = need_by(bob)

    started = time.monotonic()
    response = people["member"].post(
        reverse("budgets:mission_new", args=[need.pk]), CHARTER_FORM | {"estimate": "1"}
    )

    assert time.monotonic() - started < 1.0
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="mission-form"' in page and "Calcul en cours" in page
    assert 'hx-include="#mission-form"' in page

    loaded(cold_engine)
    response = people["member"].post(
        reverse("budgets:mission_new", args=[need.pk]), CHARTER_FORM | {"estimate": "1"}
    )
    assert "24\u00a0403,44\u00a0€" in response.content.decode()
    assert shown(CHARTER_COST_CENTS) in response.content.decode()


def test_a_cold_api_estimate_asks_to_retry_then_answers_the_figure(bob, cold_engine):
    values = as_json(CHARTER)

    started = time.monotonic()
    answer = call(bearer(bob.user), "POST", "/missions/estimate", values)

    assert time.monotonic() - started < 1.0
    assert answer.status_code == 503
    assert answer["Retry-After"] == "1"
    assert "moteur de paie" in answer.json()["detail"]

    loaded(cold_engine)
    answer = call(bearer(bob.user), "POST", "/missions/estimate", values)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["full_cost_cents"] == CHARTER_COST_CENTS


def test_an_invoice_is_priced_at_once_while_the_engine_loads(bob, cold_engine):
    values = as_json(invoice(100_000, 550))

    answer = call(bearer(bob.user), "POST", "/missions/estimate", values)

    assert answer.status_code == 200, answer.json()
    assert answer.json()["full_cost_cents"] == 105_500


def test_the_server_warms_the_engine_up_at_start(monkeypatch):
    started = []
    monkeypatch.setattr(payroll, "warm_up", lambda: started.append("wsgi"))
    monkeypatch.delitem(sys.modules, "commun.wsgi", raising=False)

    importlib.import_module("commun.wsgi")

    assert started == ["wsgi"]


def test_the_worker_warms_the_engine_up_at_start(monkeypatch):
    from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

    from commun.core.management.commands.worker import Command as Worker

    started = []
    monkeypatch.setattr(payroll, "warm_up", lambda: started.append("worker"))
    monkeypatch.setattr(DatabaseWorker, "handle", lambda self, *args, **options: None)

    Worker().handle(no_schedule=True)

    assert started == ["worker"]


@pytest.mark.parametrize(
    ("queues", "excluded", "warmed"),
    [
        ("*", "", True),
        ("estimates", "", True),
        ("default,estimates", "", True),
        ("default", "", False),  # `commun serve`'s other worker: the engine is memory wasted
        ("*", "estimates", False),
    ],
)
def test_only_a_worker_that_takes_the_estimates_warms_the_engine(
    monkeypatch, queues, excluded, warmed
):
    from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

    from commun.core.management.commands.worker import Command as Worker

    started = []
    monkeypatch.setattr(payroll, "warm_up", lambda: started.append("worker"))
    monkeypatch.setattr(DatabaseWorker, "handle", lambda self, *args, **options: None)

    Worker().handle(no_schedule=True, queue_name=queues, exclude_queues=excluded)

    assert started == (["worker"] if warmed else [])
