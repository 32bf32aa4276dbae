"""Every upstream page × every role: reading is public, writing is the officers'.

A visitor is sent to log in; an applicant, an account or a member gets 403; nothing they
post changes anything.
"""

import itertools

import pytest
from django.urls import get_resolver, reverse

from commun.ledger.models import Transaction
from commun.testing.upstream import fill_fund, projects
from commun.upstream import urls as upstream_urls
from commun.upstream.models import CommonsSplit, Gift, UpstreamProject

ROLES = ["visitor", "applicant", "account", "member", "officer"]
PUBLIC = (200, 200, 200, 200, 200)
OFFICER_PAGE = (302, 403, 403, 403, 200)
OFFICER_ACTION = (302, 403, 403, 403, 302)
_n = itertools.count(1)

# (url name, kwargs key, method, body, expected)
MATRIX = [
    ("index", None, "GET", None, PUBLIC),
    ("gifts", None, "GET", None, PUBLIC),
    ("gifts_csv", None, "GET", None, PUBLIC),
    ("gifts_json", None, "GET", None, PUBLIC),
    ("split", "split", "GET", None, PUBLIC),
    ("project_create", None, "GET", None, OFFICER_PAGE),
    (
        "project_create",
        None,
        "POST",
        {"name": "{unique}", "url": "https://example.org/", "used_for": "x", "is_active": "on"},
        OFFICER_ACTION,
    ),
    ("project_edit", "project", "GET", None, OFFICER_PAGE),
    (
        "project_edit",
        "project",
        "POST",
        {"name": "{unique}", "url": "https://example.org/", "used_for": "y"},
        OFFICER_ACTION,
    ),
    ("split_create", None, "GET", None, OFFICER_PAGE),
    ("split_create", None, "POST", {"amount": "10", "days": "7"}, OFFICER_ACTION),
    ("gift_create", None, "GET", None, OFFICER_PAGE),
    (
        "gift_create",
        None,
        "POST",
        {"project": "{project}", "amount": "5", "reference": "AG"},
        OFFICER_ACTION,
    ),
    ("gift_pay", "gift", "GET", None, OFFICER_PAGE),
    (
        "gift_pay",
        "gift",
        "POST",
        {"paid_on": "2026-03-02", "idempotency_key": "{unique}"},
        OFFICER_ACTION,
    ),
    ("gift_cancel", "gift", "POST", None, OFFICER_ACTION),
]


def fresh(officer) -> dict:
    n = next(_n)
    project = UpstreamProject.objects.create(
        name=f"Projet {n}", url="https://example.org/", used_for="Tout."
    )
    gift = Gift.objects.plan(officer, project=project, amount_cents=1_000, reference="AG")
    split = CommonsSplit.objects.open(officer, amount_cents=1_000)
    return {"project": project.pk, "gift": gift.pk, "split": split.pk, "unique": f"Neuf {n}"}


def snapshot():
    return (
        sorted(UpstreamProject.objects.values_list("pk", "name", "used_for", "is_active")),
        sorted(Gift.objects.values_list("pk", "status", "transaction")),
        CommonsSplit.objects.count(),
        Transaction.objects.count(),
    )


@pytest.mark.parametrize(
    ("name", "key", "method", "body", "expected"),
    [pytest.param(*row, id=f"{row[2]} {row[0]}") for row in MATRIX],
)
def test_permission_matrix(people, alice, name, key, method, body, expected):
    projects(2)
    fill_fund(1_000_000)
    statuses = {}
    for role in ROLES:
        ids = fresh(alice)
        url = reverse(f"upstream:{name}", kwargs={"pk": ids[key]} if key else None)
        data = {k: str(v).format(**ids) for k, v in (body or {}).items()}
        before = snapshot()

        client = people[role]
        response = client.get(url) if method == "GET" else client.post(url, data)

        statuses[role] = response.status_code
        if role == "visitor" and response.status_code == 302:
            assert "/compte/" in response["Location"], response["Location"]
        if role != "officer" and method == "POST":
            assert snapshot() == before, f"{role} changed something"
        if role == "officer" and method == "POST":
            assert snapshot() != before, "the officer's action did nothing"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_every_upstream_page_is_in_the_matrix():
    names = {pattern.name for pattern in upstream_urls.urlpatterns}
    assert names == {name for name, *_rest in MATRIX}
    assert get_resolver()  # the app's URLs load with the project's
