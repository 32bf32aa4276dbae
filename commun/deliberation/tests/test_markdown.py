"""No script gets through a comment, by the page or the API; @mentions become links."""

import pytest

from commun.deliberation.models import Space

ATTACKS = [
    "<script>alert(1)</script>",
    "[clique](javascript:alert(1))",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">lien</a>',
    "[x](JaVaScRiPt:alert(1))",
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://example.org"></iframe>',
    '<p style="background:url(javascript:alert(1))">style</p>',
    "@<script>alert(1)</script>",
]
FORBIDDEN = ["<script", "javascript:", "onerror", "onload", "<iframe", "style=", "<svg", "<img"]


def _clean(html: str) -> bool:
    lowered = html.lower()
    return not any(bad in lowered for bad in FORBIDDEN)


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_comment_posted_on_the_page_keeps_no_script(people, bob, attack):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Bonjour")
    people["member"].post(f"/fils/{thread.pk}/commenter/", {"body": f"Voici : {attack}"})
    comment = thread.comments.last()
    assert comment.body.endswith(attack)  # the source is kept as written
    assert _clean(comment.body_html)
    page = people["member"].get(thread.get_absolute_url()).content.decode()
    main = page[page.index("<main") :]
    assert _clean(main.replace('nonce="', ""))


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_comment_posted_through_the_api_keeps_no_script(people, bob, attack):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Bonjour")
    response = people["member"].post(
        f"/api/v1/threads/{thread.pk}/comments", {"body": attack}, content_type="application/json"
    )
    assert response.status_code == 201
    assert _clean(response.json()["body_html"])
    comments = people["member"].get(f"/api/v1/threads/{thread.pk}").json()["comments"]
    assert all(_clean(c["body_html"]) for c in comments)


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_edit_keeps_no_script_either(people, bob, attack):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Bonjour")
    comment = thread.comments.get()
    people["member"].patch(
        f"/api/v1/comments/{comment.pk}", {"body": attack}, content_type="application/json"
    )
    comment.refresh_from_db()
    assert comment.body == attack
    assert _clean(comment.body_html)


def test_a_thread_title_is_escaped(people, bob):
    thread = Space.objects.cooperative().start_thread(bob, "<script>alert(1)</script>", "Texte")
    page = people["member"].get(thread.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_markdown_still_formats(bob):
    thread = Space.objects.cooperative().start_thread(
        bob, "Fil", "**gras** et [lien](https://example.org)"
    )
    html = thread.comments.get().body_html
    assert "<strong>gras</strong>" in html
    assert 'href="https://example.org"' in html


# Mentions -----------------------------------------------------------------------------------


def test_mentions_by_number_pseudonym_and_circle_become_links(bob, alice, frank, garden):
    body = f"Merci @{alice.number}, @frankie et @{garden.slug} ; écrivez à bob@example.org."
    thread = Space.objects.cooperative().start_thread(bob, "Fil", body)
    html = thread.comments.get().body_html
    assert f'<a class="mention" href="/associes/?q={alice.number}">@{alice.number}</a>' in html
    assert '<a class="mention" href="/associes/?q=frankie">@frankie</a>' in html
    assert f'<a class="mention" href="/cercles/{garden.slug}/">@{garden.slug}</a>' in html
    assert "bob@example.org" in html and "?q=example" not in html


def test_mentions_in_code_and_unknown_handles_stay_plain(bob, alice):
    body = f"`@{alice.number}` et @personne\n\n    @{alice.number} dans un bloc"
    thread = Space.objects.cooperative().start_thread(bob, "Fil", body)
    html = thread.comments.get().body_html
    assert "mention" not in html
    assert "@personne" in html


def test_a_pseudonym_two_members_share_names_nobody(bob, alice, frank):
    type(bob).objects.filter(pk=alice.pk).update(pseudonym="frankie")
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Salut @frankie")
    assert "mention" not in thread.comments.get().body_html


def test_n_prefixed_numbers_name_members_too(bob, alice):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", f"Salut @n{alice.number}")
    assert f'href="/associes/?q={alice.number}"' in thread.comments.get().body_html
