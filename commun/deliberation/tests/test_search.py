"""Search finds threads by title and by comment, only among those one may read."""

import pytest

from commun.deliberation.models import Space, search


@pytest.fixture
def threads(bob, gus, frank, garden, users_space):
    Space.objects.filter(pk=users_space.pk).update(visibility="college")
    Space.objects.filter(pk=garden.space.pk).update(visibility="circle")
    users_space.refresh_from_db()
    circle_space = Space.objects.get(pk=garden.space.pk)
    coop = Space.objects.cooperative()
    return {
        "open": coop.start_thread(bob, "Budget participatif", "Parlons des semences."),
        "comment": coop.start_thread(bob, "Divers", "Rien de spécial")
        .post_comment(gus, "Les semences paysannes d'abord")
        .thread,
        "college": users_space.start_thread(gus, "Semences entre usager·es", "Entre nous."),
        "circle": circle_space.start_thread(frank, "Semences au jardin", "Au cercle."),
        "public": Space.objects.cooperative(),
    }


def _titles(found):
    return sorted(t.title for t in found)


def test_search_finds_titles_and_comments_one_may_read(threads, bob, frank, alice):
    assert _titles(search("semences", bob)) == [
        "Budget participatif",
        "Divers",
        "Semences entre usager·es",
    ]
    assert _titles(search("semences", frank)) == [
        "Budget participatif",
        "Divers",
        "Semences au jardin",
    ]
    assert _titles(search("semences", alice)) == ["Budget participatif", "Divers"]
    assert _titles(search("semences", None)) == []


def test_search_points_at_the_first_matching_comment(threads, bob):
    found = {t.title: t for t in search("paysannes", bob)}
    divers = found["Divers"]
    assert divers.first_match_id == threads["comment"].comments.last().pk


def test_an_empty_query_finds_nothing(threads, bob):
    assert list(search("   ", bob)) == []


def test_visitors_search_public_spaces_only(people, threads):
    Space.objects.filter(pk=Space.objects.cooperative().pk).update(visibility="public")
    response = people["visitor"].get("/recherche/", {"q": "semences"})
    page = response.content.decode()
    assert "Budget participatif" in page and "Semences entre" not in page
    api = people["visitor"].get("/api/v1/search", {"q": "semences"}).json()
    assert sorted(t["title"] for t in api["items"]) == ["Budget participatif", "Divers"]


def test_the_search_page_and_api_for_a_member(people, threads):
    page = people["member"].get("/recherche/", {"q": "paysannes"}).content.decode()
    assert "Divers" in page and "Les semences paysannes" in page
    assert people["member"].get("/api/v1/search", {"q": ""}).status_code == 422
    assert people["member"].get("/api/v1/search", {"q": "x" * 201}).status_code == 422
    assert people["member"].get("/recherche/").status_code == 200


@pytest.mark.postgres
def test_postgresql_searches_french_words_by_their_stem(threads, bob):
    assert "Budget participatif" in _titles(search("budgets participatifs", bob))
