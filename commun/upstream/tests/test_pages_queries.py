"""The public pages cost a bounded number of queries, however many projects and gifts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commun.conftest import client_for
from commun.testing.upstream import closed_split, fill_fund
from commun.upstream.models import Gift, UpstreamProject

INDEX_QUERIES = 13  # the fund is three sums: held, splits voting, gifts planned
GIFTS_QUERIES = 12
SPLIT_QUERIES = 12


def many_projects(count: int) -> list[UpstreamProject]:
    start = UpstreamProject.objects.count()
    return UpstreamProject.objects.bulk_create(
        UpstreamProject(name=f"Projet {i}", url=f"https://p{i}.example.org/", used_for="Tout.")
        for i in range(start, start + count)
    )


def paid_gifts(officer, projects, count: int) -> None:
    fill_fund(count * 100)
    start = Gift.objects.count()
    for i in range(count):
        gift = Gift.objects.plan(
            officer, project=projects[i % len(projects)], amount_cents=100, reference=f"AG {i}"
        )
        gift.pay(officer, datetime.date(2025 + i % 2, 3, 2), f"q-{start + i}")


PAGES = ["/communs-amont/", "/communs-amont/dons/", "/communs-amont/dons/?page=2", "{split}"]
BOUNDS = [INDEX_QUERIES, GIFTS_QUERIES, GIFTS_QUERIES, SPLIT_QUERIES]


def queries(viewer, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert viewer.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["visitor", "officer"])
def test_the_public_pages_do_not_grow_with_projects_and_gifts(client, alice, bob, who):
    viewer = client if who == "visitor" else client_for(alice.user)
    projects = many_projects(3)
    paid_gifts(alice, projects, 2)
    fill_fund(100)
    split = closed_split(alice, [(bob, {"Projet 0": 60, "Projet 1": 40})], 100)
    paths = [p.format(split=split.get_absolute_url()) for p in PAGES]
    few = [queries(viewer, path) for path in paths]

    many = many_projects(40)
    paid_gifts(alice, projects + many, 120)
    split.gifts.first().pay(alice, datetime.date(2026, 3, 2), "split-paid")

    counted = [queries(viewer, path) for path in paths]
    assert counted == few, (counted, few)
    assert all(n <= bound for n, bound in zip(counted, BOUNDS, strict=True)), counted


def test_the_csv_export_streams_every_paid_gift_in_few_queries(
    client, alice, django_assert_max_num_queries
):
    paid_gifts(alice, many_projects(5), 30)

    with django_assert_max_num_queries(4):
        response = client.get("/communs-amont/dons.csv")
        lines = b"".join(response.streaming_content).splitlines()

    assert len(lines) == 31
