"""What keeps the directory, the register and the home page fast with many members.

Counts come from a per-minute memo, deep pages are read ids first or by number range, and
a directory search counts at most a few hundred matches. Visibility rules stay the same.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commun.conftest import category, make_member
from commun.lib import paging
from commun.members import api, models
from commun.members.models import Member, ShareMovement, Visibility
from commun.testing.api import bearer, call

DIRECTORY = "/associes/"
REGISTER = "/registre/"


@pytest.fixture
def counted_once_a_minute(settings):
    """Production's memo of the counts (the test settings recount on every request)."""
    settings.COMMUN_COUNTS_SECONDS = 60
    models._ACTIVE_COUNTS.clear()
    yield
    models._ACTIVE_COUNTS.clear()


@pytest.fixture
def always_ids_first(monkeypatch):
    monkeypatch.setattr(paging, "SHALLOW", 0)


def member_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "members_member"' in q["sql"]]


def crowd(count: int, first_name: str = "Yann") -> list[Member]:
    members = [
        make_member(f"y{index}@example.org", first_name, f"N{index}", category("Partenaires"))
        for index in range(count)
    ]
    Member.objects.filter(first_name=first_name).update(public_visibility=Visibility.NAME)
    return members


# Counts ------------------------------------------------------------------------------------


def test_the_home_page_counts_members_once_a_minute(people, counted_once_a_minute):
    visitor = people["visitor"]
    assert "<strong>2</strong>" in visitor.get("/").text
    crowd(1)
    with CaptureQueriesContext(connection) as queries:
        # A minute-old figure, without reading the members again.
        assert "<strong>2</strong>" in visitor.get("/").text
    assert member_queries(queries) == []
    models._ACTIVE_COUNTS.clear()
    assert "<strong>3</strong>" in visitor.get("/").text


def test_the_directory_takes_its_count_from_the_memo(people, counted_once_a_minute):
    client = people["member"]
    client.get(DIRECTORY)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DIRECTORY)
    assert response.context["page"].paginator.count == 2
    assert not [sql for sql in member_queries(queries) if "COUNT(" in sql.upper()]
    by_category = client.get(DIRECTORY, {"category": category("Contrib").pk})
    assert by_category.context["page"].paginator.count == 1


def test_the_counts_are_grouped_in_one_query_without_joining_categories(people, alice, bob):
    with CaptureQueriesContext(connection) as queries:
        counts = Member.objects.active().count_by_category()
    assert counts == {category("Contrib").pk: 1, category("Partenaires").pk: 1}
    assert len(queries) == 1 and "JOIN" not in queries[0]["sql"].upper()


# The directory -----------------------------------------------------------------------------


def test_a_minute_old_count_hides_no_one_from_the_page(people, counted_once_a_minute):
    client = people["member"]
    client.get(DIRECTORY)
    crowd(2)
    page = client.get(DIRECTORY).context["page"]
    assert page.paginator.count == 2 and len(page) == 4


def test_a_search_with_too_many_matches_asks_to_narrow_it(people, monkeypatch):
    monkeypatch.setattr("commun.members.views.SEARCH_COUNT_LIMIT", 3)
    crowd(5)
    response = people["member"].get(DIRECTORY, {"q": "yann"})
    assert "Plus de 3 associé·es correspondent" in response.text
    assert len(response.context["page"]) == 3
    few = people["member"].get(DIRECTORY, {"q": "N4"})
    assert "1 associé·e." in few.text and "Plus de" not in few.text


def test_a_deep_directory_page_keeps_hidden_names_hidden(people, always_ids_first):
    yanns = crowd(3)
    Member.objects.filter(pk=yanns[1].pk).update(public_visibility=Visibility.HIDDEN)
    client = people["member"]
    shown = [m.shown_name for m in client.get(DIRECTORY).context["page"]]
    assert shown[-3:] == ["Yann N0", f"Associé·e n°{yanns[1].number}", "Yann N2"]
    assert "Yann N1" in [m.shown_name for m in people["officer"].get(DIRECTORY).context["page"]]
    # A hidden member's name finds nobody on a deep page either.
    assert len(client.get(DIRECTORY, {"q": "N1"}).context["page"]) == 0


# The register ------------------------------------------------------------------------------


def test_the_register_of_an_unknown_member_is_empty(people, alice, bob):
    response = people["member"].get(REGISTER, {"member": 999})
    assert len(response.context["page"]) == 0
    assert "Aucun mouvement ne correspond." in response.text
    csv = b"".join(people["member"].get(f"{REGISTER}registre.csv", {"member": 999}))
    assert len(csv.decode("utf-8-sig").strip().splitlines()) == 1


def test_a_deep_filtered_register_page_reads_ids_first(people, bob, monkeypatch, always_ids_first):
    monkeypatch.setattr("commun.members.views.REGISTER_PAGE_SIZE", 2)
    for _ in range(3):
        ShareMovement.objects.record(ShareMovement.Kind.SUBSCRIPTION, bob, 1)
    subscriptions = list(
        ShareMovement.objects.filter(kind="subscription")
        .order_by("-number")
        .values_list("number", flat=True)
    )
    page = people["member"].get(REGISTER, {"kind": "subscription", "page": 2}).context["page"]
    assert [m.number for m in page] == subscriptions[2:4]


def test_the_register_rows_show_formatted_amounts_dates_and_names(people, alice, bob):
    Member.objects.filter(pk=bob.pk).update(public_visibility=Visibility.NAME)
    html = people["member"].get(REGISTER).text
    row = html[html.index('id="mouvement-4"') : html.index('id="mouvement-3"')]
    assert "15 jan. 2026" in row and "Libération" in row and "Bob Durand" in row
    assert row.count("50\u00a0€") == 2  # nominal value and amount of one share


# The API -----------------------------------------------------------------------------------


def test_the_api_lists_a_search_s_first_matches_and_says_there_are_more(bob, monkeypatch):
    crowd(3)
    client = bearer(bob.user)
    every = call(client, "GET", "/members?search=yann").json()
    assert (every["count"], every["more"]) == (3, False)
    monkeypatch.setattr(api, "SEARCH_COUNT_LIMIT", 2)
    first = call(client, "GET", "/members?search=yann").json()
    assert (first["count"], first["more"]) == (2, True)
    assert first["items"] == every["items"][:2]
    assert call(client, "GET", "/members?search=yann&page=2").json()["items"] == []


def test_the_api_pages_deep_lists_like_shallow_ones(alice, bob, monkeypatch):
    crowd(3)
    client = bearer(bob.user)
    shallow = call(client, "GET", "/members?page=2&page_size=2").json()
    monkeypatch.setattr(paging, "SHALLOW", 0)
    deep = call(client, "GET", "/members?page=2&page_size=2").json()
    assert deep == shallow and deep["count"] == 5 and len(deep["items"]) == 2
    last = call(client, "GET", "/register?page=2&page_size=3").json()
    numbers = [m["number"] for m in last["items"]]
    assert last["count"] == 10 and numbers == [7, 6, 5]


@pytest.mark.postgres
def test_postgresql_searches_names_with_trigram_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'members_member'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {
        f"members_member_{column}_trgm"
        for column in ("first_name", "last_name", "organisation_name", "pseudonym")
    } <= indexes
