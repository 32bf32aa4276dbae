"""The demo's webhook: one endpoint whose log shows a received, a retried and a failed
delivery, loaded once and without any network call."""

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from commun.conftest import client_for
from commun.hooks import demo as hooks_demo
from commun.hooks.models import Delivery, Endpoint
from commun.members.models import Member


def no_network(*args, **kwargs):
    raise AssertionError("the demo must not reach the network")


@pytest.mark.django_db
def test_the_demo_has_a_disabled_endpoint_with_a_log_and_reaches_no_network(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    assert "Webhooks" in out.getvalue()
    endpoint = Endpoint.objects.get(url=hooks_demo.URL)
    assert not endpoint.is_active and endpoint.disabled_because == "failures"
    deliveries = Delivery.objects.filter(endpoint=endpoint)
    assert {d.status for d in deliveries} == {"succeeded", "failed"}
    assert deliveries.filter(status="succeeded", attempts__gt=1).exists()  # retried, then received
    assert not deliveries.filter(status="pending").exists()  # nothing left for the worker
    hooks_demo.load(stdout=StringIO())
    assert Endpoint.objects.count() == 1 and deliveries.count() == len(hooks_demo.LOG)
    officer = Member.objects.filter(is_officer=True).order_by("pk").first()
    page = client_for(officer.user).get(reverse("hooks:endpoint", args=[endpoint.pk]))
    assert page.status_code == 200
    assert "connexion refusée" in page.content.decode()
