"""Pages answer in a bounded number of queries, whatever the number of threads or comments."""

import pytest

from commun.deliberation.models import Space


def _fill_space(space, author, others, threads: int):
    for n in range(threads):
        thread = space.start_thread(author, f"Fil {n}", "Texte")
        for other in others:
            thread.post_comment(other, f"Avis sur {n}")


def _fill_thread(thread, people, comments: int):
    root = thread.comments.first()
    for n in range(comments):
        comment = thread.post_comment(
            people[n % len(people)],
            f"Avis {n} @{people[0].number}",
            parent=root if n % 3 == 0 else None,
        )
        comment.toggle_reaction(people[(n + 1) % len(people)], "agree")
    comment.edit(comment.author, "Modifié")


@pytest.mark.parametrize("threads", [2, 40])
def test_the_space_page_is_bounded(people, bob, alice, eve, threads, django_assert_max_num_queries):
    space = Space.objects.cooperative()
    _fill_space(space, bob, [alice, eve], threads)
    people["officer"].get(space.threads.first().get_absolute_url())
    with django_assert_max_num_queries(10):
        response = people["officer"].get(space.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("comments", [3, 70])
def test_the_thread_page_is_bounded(
    people, bob, alice, eve, comments, django_assert_max_num_queries
):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Texte")
    _fill_thread(thread, [bob, alice, eve], comments)
    for page in (1, 2):
        with django_assert_max_num_queries(22):
            response = people["member"].get(f"{thread.get_absolute_url()}?page={page}")
        assert response.status_code == 200


@pytest.mark.parametrize("threads", [2, 30])
def test_the_spaces_list_and_search_are_bounded(
    people, bob, alice, garden, threads, django_assert_max_num_queries
):
    _fill_space(Space.objects.cooperative(), bob, [alice], threads)
    with django_assert_max_num_queries(14):
        assert people["member"].get("/espaces/").status_code == 200
    with django_assert_max_num_queries(14):
        assert people["member"].get("/recherche/", {"q": "avis"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert people["member"].get("/notifications/").status_code == 200


@pytest.mark.parametrize("threads", [2, 30])
def test_the_api_lists_are_bounded(people, bob, alice, threads, django_assert_max_num_queries):
    space = Space.objects.cooperative()
    _fill_space(space, bob, [alice], threads)
    with django_assert_max_num_queries(10):
        assert people["member"].get(f"/api/v1/spaces/{space.slug}/threads").status_code == 200
    thread = space.threads.first()
    with django_assert_max_num_queries(12):
        assert people["member"].get(f"/api/v1/threads/{thread.pk}").status_code == 200
