"""Threads and comments: posting, replying, editing with history, reactions, unread counts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from commun.deliberation.models import Comment, Reaction, Space, Thread

HTMX = {"HX-Request": "true"}


@pytest.fixture
def thread(bob):
    return Space.objects.cooperative().start_thread(bob, "Notre charte", "Qu'en pensez-vous ?")


# Opening and posting ------------------------------------------------------------------------


def test_a_member_opens_a_thread_from_the_page(people, bob):
    space = Space.objects.cooperative()
    response = people["member"].post(
        f"/espaces/{space.slug}/nouveau-fil/", {"title": "  Budget\n2027 ", "body": "Parlons-en."}
    )
    thread = Thread.objects.get()
    assert response.url == thread.get_absolute_url()
    assert thread.title == "Budget 2027"
    assert thread.comment_count == 1
    space.refresh_from_db()
    assert space.thread_count == 1


def test_a_thread_without_title_or_text_is_refused_clearly(people, bob):
    space = Space.objects.cooperative()
    response = people["member"].post(
        f"/espaces/{space.slug}/nouveau-fil/", {"title": "", "body": " "}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Donnez un titre au fil." in page
    assert "Écrivez le premier message du fil." in page
    assert not Thread.objects.exists()


def test_posting_without_javascript_leads_to_the_new_comment(people, thread):
    response = people["officer"].post(f"/fils/{thread.pk}/commenter/", {"body": "D'accord."})
    comment = thread.comments.last()
    assert response.url == f"/commentaires/{comment.pk}/"
    landing = people["officer"].get(response.url)
    assert landing.url == f"/fils/{thread.pk}/?page=1#comment-{comment.pk}"


def test_posting_with_htmx_returns_the_comment_and_a_fresh_form(people, thread):
    response = people["officer"].post(
        f"/fils/{thread.pk}/commenter/", {"body": "*D'accord*."}, headers=HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<em>D&#x27;accord</em>" in page or "<em>D'accord</em>" in page
    assert 'id="comment-form" hx-swap-oob="true"' in page
    assert "<html" not in page


def test_an_empty_comment_gets_its_error_in_place(people, thread):
    response = people["officer"].post(f"/fils/{thread.pk}/commenter/", {"body": "  "}, headers=HTMX)
    assert response["HX-Retarget"] == "#comment-form"
    assert "Écrivez votre commentaire." in response.content.decode()
    response = people["officer"].post(f"/fils/{thread.pk}/commenter/", {"body": ""})
    assert response.status_code == 400
    assert thread.comments.count() == 1


def test_a_too_long_comment_is_refused(people, thread):
    response = people["officer"].post(f"/fils/{thread.pk}/commenter/", {"body": "x" * 20_001})
    assert response.status_code == 400
    api = people["officer"].post(
        f"/api/v1/threads/{thread.pk}/comments",
        {"body": "x" * 20_001},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["body", "body"]
    assert thread.comments.count() == 1


def test_replies_nest_under_their_comment(people, thread, alice):
    root = thread.comments.get()
    response = people["officer"].post(
        f"/fils/{thread.pk}/commenter/", {"body": "Réponse", "parent": root.pk}, headers=HTMX
    )
    assert f'id="reply-form-{root.pk}" hx-swap-oob="true"' in response.content.decode()
    reply = thread.comments.get(parent=root)
    page = people["officer"].get(thread.get_absolute_url()).content.decode()
    replies = page.index(f'id="replies-{root.pk}"')
    assert replies < page.index(f'id="comment-{reply.pk}"')


def test_a_reply_to_a_comment_of_another_thread_is_refused(people, thread, bob):
    other = Space.objects.cooperative().start_thread(bob, "Autre", "Ailleurs")
    foreign = other.comments.get()
    response = people["officer"].post(
        f"/fils/{thread.pk}/commenter/", {"body": "Réponse", "parent": foreign.pk}
    )
    assert response.status_code == 400
    api = people["officer"].post(
        f"/api/v1/threads/{thread.pk}/comments",
        {"body": "R", "parent": foreign.pk},
        content_type="application/json",
    )
    assert api.status_code == 422
    with pytest.raises(ValidationError):
        thread.post_comment(foreign.author, "R", parent=foreign)
    assert thread.comments.count() == 1


def test_a_page_that_starts_with_replies_recalls_their_comment(people, thread, alice, bob):
    root = thread.comments.get()
    for n in range(55):
        thread.post_comment(alice, f"Réponse {n}", parent=root)
    page = people["member"].get(f"{thread.get_absolute_url()}?page=2").content.decode()
    assert "Suite des réponses à" in page
    assert "Réponse 54" in page and "Réponse 10" not in page


def test_counters_follow_the_comments(thread, alice):
    for n in range(3):
        thread.post_comment(alice, f"Avis {n}")
    thread.refresh_from_db()
    assert thread.comment_count == 4
    assert thread.last_activity_at == thread.comments.last().created_at


# Edits --------------------------------------------------------------------------------------


def test_an_edit_keeps_the_previous_text_in_the_history(people, thread, bob):
    comment = thread.comments.get()
    response = people["member"].post(
        f"/commentaires/{comment.pk}/modifier/", {"body": "Nouvelle version"}, headers=HTMX
    )
    assert "Nouvelle version" in response.content.decode()
    comment.edit(bob, "Troisième version")
    assert list(comment.revisions.values_list("body", flat=True)) == [
        "Nouvelle version",
        "Qu'en pensez-vous ?",
    ]
    page = people["visitor"].get(thread.get_absolute_url())
    assert page.status_code == 302  # the cooperative's space is for members
    page = people["officer"].get(thread.get_absolute_url()).content.decode()
    assert f'href="/commentaires/{comment.pk}/historique/">modifié' in page
    history = people["officer"].get(f"/commentaires/{comment.pk}/historique/").content.decode()
    assert history.index("Troisième version") < history.index("Nouvelle version")
    assert history.index("Nouvelle version") < history.index("pensez-vous ?")
    revisions = people["officer"].get(f"/api/v1/comments/{comment.pk}/revisions").json()
    assert [r["body"] for r in revisions] == ["Nouvelle version", "Qu'en pensez-vous ?"]


def test_an_unchanged_text_adds_no_revision(thread, bob):
    comment = thread.comments.get()
    comment.edit(bob, "Qu'en pensez-vous ?")
    assert comment.revisions.count() == 0
    assert comment.edited_at is None


def test_only_the_author_edits_a_comment(people, thread, alice):
    comment = thread.comments.get()
    assert people["officer"].get(f"/commentaires/{comment.pk}/modifier/").status_code == 403
    response = people["officer"].post(f"/commentaires/{comment.pk}/modifier/", {"body": "Piraté"})
    assert response.status_code == 403
    api = people["officer"].patch(
        f"/api/v1/comments/{comment.pk}", {"body": "Piraté"}, content_type="application/json"
    )
    assert api.status_code == 403
    with pytest.raises(PermissionDenied):
        comment.edit(alice, "Piraté")
    comment.refresh_from_db()
    assert comment.body == "Qu'en pensez-vous ?"


def test_the_edit_form_works_without_javascript(people, thread):
    comment = thread.comments.get()
    assert people["member"].get(f"/commentaires/{comment.pk}/modifier/").status_code == 200
    response = people["member"].post(f"/commentaires/{comment.pk}/modifier/", {"body": ""})
    assert response.status_code == 400
    response = people["member"].post(f"/commentaires/{comment.pk}/modifier/", {"body": "Mieux"})
    assert response.status_code == 302


# Reactions ----------------------------------------------------------------------------------


def test_a_reaction_toggles(people, thread, alice):
    comment = thread.comments.get()
    url = f"/commentaires/{comment.pk}/reagir/"
    response = people["officer"].post(url, {"kind": "agree"}, headers=HTMX)
    assert 'aria-pressed="true"' in response.content.decode()
    assert Reaction.objects.filter(comment=comment, member=alice, kind="agree").count() == 1
    people["officer"].post(url, {"kind": "agree"}, headers=HTMX)
    assert not Reaction.objects.filter(comment=comment).exists()


def test_reactions_of_different_kinds_and_people_add_up(thread, alice, bob, eve):
    comment = thread.comments.get()
    assert comment.toggle_reaction(alice, "agree") is True
    assert comment.toggle_reaction(bob, "agree") is True
    assert comment.toggle_reaction(bob, "love") is True
    summary = {r["kind"]: r for r in Reaction.summary([comment], bob)[comment.pk]}
    assert summary["agree"]["count"] == 2 and summary["agree"]["mine"]
    assert summary["love"]["count"] == 1
    assert summary["bravo"]["count"] == 0 and not summary["bravo"]["mine"]


def test_the_database_keeps_one_reaction_of_a_kind(thread, alice):
    comment = thread.comments.get()
    Reaction.objects.create(comment=comment, member=alice, kind="agree")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(comment=comment, member=alice, kind="agree")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(comment=comment, member=alice, kind="dislike")


def test_an_unknown_reaction_is_refused(people, thread):
    comment = thread.comments.get()
    assert (
        people["officer"].post(f"/commentaires/{comment.pk}/reagir/", {"kind": "x"}).status_code
        == 400
    )
    api = people["officer"].post(
        f"/api/v1/comments/{comment.pk}/reactions", {"kind": "x"}, content_type="application/json"
    )
    assert api.status_code == 422
    assert not Reaction.objects.exists()


def test_reactions_through_the_api(people, thread):
    comment = thread.comments.get()
    url = f"/api/v1/comments/{comment.pk}/reactions"
    first = people["officer"].post(url, {"kind": "bravo"}, content_type="application/json").json()
    assert first["reacted"] is True
    assert {r["kind"]: r["count"] for r in first["reactions"]}["bravo"] == 1
    second = people["officer"].post(url, {"kind": "bravo"}, content_type="application/json").json()
    assert second["reacted"] is False


# Unread -------------------------------------------------------------------------------------


def _unread(client, space_slug):
    threads = client.get(f"/api/v1/spaces/{space_slug}/threads").json()["items"]
    return {t["title"]: t["unread_count"] for t in threads}


def test_unread_counts_follow_reading(people, bob, alice):
    space = Space.objects.cooperative()
    charter = space.start_thread(bob, "Charte", "Début")
    space.start_thread(bob, "Budget", "Début")
    assert _unread(people["officer"], space.slug) == {"Charte": 1, "Budget": 1}
    people["officer"].get(charter.get_absolute_url())
    charter.post_comment(bob, "Suite 1")
    charter.post_comment(bob, "Suite 2")
    assert _unread(people["officer"], space.slug) == {"Charte": 2, "Budget": 1}
    assert _unread(people["member"], space.slug) == {"Charte": 0, "Budget": 0}
    page = people["officer"].get(space.get_absolute_url()).content.decode()
    assert "2 non lus" in page and "nouveau" in page
    people["officer"].get(charter.get_absolute_url())
    assert _unread(people["officer"], space.slug)["Charte"] == 0
    charter.post_comment(alice, "Moi")  # one's own comment is not unread
    assert _unread(people["officer"], space.slug)["Charte"] == 0


def test_new_comments_are_marked_on_the_thread_page(people, bob, alice):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    people["officer"].get(thread.get_absolute_url())
    thread.post_comment(bob, "Du nouveau")
    page = people["officer"].get(thread.get_absolute_url()).content.decode()
    assert page.count('class="comment unread"') == 1


def test_a_comment_id_out_of_range_is_not_found(people):
    assert people["member"].get(f"/commentaires/{2**70}/").status_code == 404
    assert people["member"].get(f"/fils/{2**70}/").status_code == 404
    assert people["member"].get(f"/api/v1/threads/{2**40}").status_code == 422


def test_the_comment_permalink_finds_its_page(people, thread, alice):
    for n in range(60):
        thread.post_comment(alice, f"Avis {n}")
    last = Comment.objects.filter(thread=thread).last()
    response = people["member"].get(f"/commentaires/{last.pk}/")
    assert response.url.endswith(f"?page=2#comment-{last.pk}")


def test_an_empty_reply_without_javascript_shows_the_reply_form_again(people, thread):
    root = thread.comments.get()
    response = people["officer"].post(
        f"/fils/{thread.pk}/commenter/", {"body": " ", "parent": root.pk}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="reply-form-{root.pk}"' in page
    assert "Écrivez votre commentaire." in page
