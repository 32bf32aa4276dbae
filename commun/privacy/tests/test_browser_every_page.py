"""Every page of the demo cooperative, as a visitor, a member and an officer, in Chromium.

The crawler follows the links each person is shown, one page per kind of address (the
numbers in a path do not make a new kind). On every page: the Content Security Policy
header is there, axe-core finds no serious violation, and at the end no request of the
whole visit went anywhere but the live server.
"""

import re
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings

from commun.members.models import Member
from commun.testing.browser import act_as, assert_all_local, axe_check

pytestmark = pytest.mark.browser

PAGES_PER_PERSON = 120
# Downloads and actions, not pages: followed by other tests.
SKIPPED = re.compile(
    r"\.(csv|json|jsonl|pdf|zip|pem|txt|atom|ics)$|^/admin/|^/api/|^/i18n/|/logout/|/deconnexion/"
    r"|^/comptes/exports/(beancount|fec)|^/comptes/justificatifs/|^/media/|^/static/"
)
SILENT = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def demo(transactional_db):
    with override_settings(TASKS=SILENT):
        call_command("demo", stdout=StringIO(), stderr=StringIO())


def kind_of(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(part.split("=")[0] for part in parts.query.split("&") if part)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(page) -> list[str]:
    server = page.live_server_url
    queue, kinds, visited = ["/"], set(), []
    while queue and len(visited) < PAGES_PER_PERSON:
        url = queue.pop(0)
        if kind_of(url) in kinds:
            continue
        kinds.add(kind_of(url))
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        assert "content-security-policy" in response.headers, url
        axe_check(page)
        visited.append(url)
        links = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
        )
        for href in links:
            absolute = urldefrag(urljoin(server + url, href)).url
            if not absolute.startswith(server):
                continue
            path = absolute[len(server) :] or "/"
            if not SKIPPED.search(urlsplit(path).path) and kind_of(path) not in kinds:
                queue.append(path)
    return visited


def test_every_page_a_visitor_reaches_is_local_secured_and_accessible(demo, page):
    visited = crawl(page)
    assert {"/", "/besoins/", "/comptes/", "/communs-amont/"} <= set(visited)
    assert_all_local(page)


def test_every_page_a_member_reaches_is_local_secured_and_accessible(demo, page):
    member = Member.objects.filter(is_officer=False, status="active").order_by("number").first()
    act_as(page, member)
    visited = crawl(page)
    assert {"/moi/", "/associes/", "/registre/", "/espaces/"} <= set(visited)
    assert_all_local(page)


def test_every_page_an_officer_reaches_is_local_secured_and_accessible(demo, page):
    officer = Member.objects.filter(is_officer=True, status="active").order_by("number").first()
    act_as(page, officer)
    visited = crawl(page)
    assert {"/responsables/", "/comptes/exercices/", "/responsables/archives-legales/"} <= set(
        visited
    )
    assert_all_local(page)
