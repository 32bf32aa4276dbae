"""The Atom feeds hold what a visitor reads on the public pages, and nothing more."""

import feedparser
import pytest
from django.test import Client

from commun.board.models import Task
from commun.feeds.atom import FEEDS
from commun.testing.budgets import fund, invoice, need_by, shown, submitted
from commun.testing.decisions import opened
from commun.testing.feeds import HIDDEN

FEED_QUERIES = 6


def read(client: Client, slug: str):
    response = client.get(f"/flux/{slug}.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


def test_the_needs_feed_lists_each_need_with_its_author_as_the_public_sees_them(record, bob):
    parsed = read(Client(), "besoins")

    assert titles(parsed) == ["Une billetterie maintenue"]
    entry = parsed.entries[0]
    assert entry.link == "http://testserver" + record["need"].get_absolute_url()
    assert entry.author == f"Associé·e n°{bob.number}"
    assert "Bob" not in parsed.entries[0].summary + entry.author
    assert "Les bugs" in entry.summary


def test_the_missions_feed_has_the_submitted_mission_not_the_draft(record):
    parsed = read(Client(), "missions")

    assert len(parsed.entries) == 1
    assert "Maintenir la billetterie" in parsed.entries[0].title
    assert shown(100_000) in parsed.entries[0].summary  # the pay asked, public as the charter wants
    assert HIDDEN not in str(read(Client(), "missions"))


def test_the_decisions_feed_has_openings_and_closes_of_public_decisions_only(record, alice):
    parsed = read(Client(), "decisions")
    ref = record["mission"].ref

    assert sorted(titles(parsed)) == sorted(
        [
            "Ouverte : Acheter un serveur",
            "Ouverte : Changer de banque",
            "Retirée : Changer de banque",
            f"Ouverte : Mission {ref} : Maintenir la billetterie",
        ]
    )
    closed = next(e for e in parsed.entries if e.title.startswith("Retirée"))
    assert "Nous restons où nous sommes." in closed.summary
    assert closed.link.endswith(f"/decisions/{record['closed'].pk}/#outcome-title")
    assert closed.author == "Alice Martin"
    assert len({entry.id for entry in parsed.entries}) == 4


def test_a_member_reads_the_same_public_feed_as_a_visitor(record, bob):
    from commun.conftest import client_for

    assert titles(read(client_for(bob.user), "decisions")) == titles(read(Client(), "decisions"))


def test_the_tasks_feed_lists_the_board_s_tasks_with_their_need(record, bob):
    parsed = read(Client(), "taches")

    assert titles(parsed) == ["Trier les anomalies — À faire"]
    entry = parsed.entries[0]
    assert "Une billetterie maintenue" in entry.summary
    assert "<strong>plus vieilles</strong>" in entry.summary
    assert entry.author == f"Associé·e n°{bob.number}"
    assert entry.link == "http://testserver" + record["task"].get_absolute_url()


def test_the_transactions_feed_lists_the_latest_transactions_with_their_lines(record):
    parsed = read(Client(), "ecritures")

    assert parsed.entries[0].title.startswith("Écriture n°")
    assert "Dotation de la réserve (test)" in titles(parsed)[0]
    assert shown(1_000_000) in parsed.entries[0].summary


def test_a_feed_says_when_it_last_changed_and_answers_304_when_nothing_did(record):
    response = Client().get("/flux/besoins.atom")
    again = Client().get(
        "/flux/besoins.atom", headers={"if-modified-since": response["Last-Modified"]}
    )

    assert again.status_code == 304


def test_an_unknown_feed_is_not_found(coop):
    assert Client().get("/flux/taches-secretes.atom").status_code == 404


def test_each_feed_is_in_english_for_an_english_reader(record):
    parsed = feedparser.parse(
        Client(headers={"accept-language": "en"}).get("/flux/decisions.atom").content
    )

    assert "Opened: Acheter un serveur" in titles(parsed)


@pytest.mark.parametrize("slug", sorted(FEEDS))
def test_a_feed_reads_in_the_same_number_of_queries_however_long_it_is(
    slug, record, alice, bob, django_assert_max_num_queries
):
    with django_assert_max_num_queries(FEED_QUERIES) as few:
        read(Client(), slug)
    need = need_by(bob, title="Encore un besoin")
    fund(10_000)
    for i in range(3):
        submitted(bob, need, **invoice(1000 + i))
        opened(alice, title=f"Décision {i}").withdraw(alice)
        Task.objects.create_task(bob, need, title=f"Tâche {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        read(Client(), slug)


def test_a_public_item_page_names_its_list_feed_in_its_head(record):
    pages = {
        record["need"].get_absolute_url(): "/flux/besoins.atom",
        record["mission"].get_absolute_url(): "/flux/missions.atom",
        record["open"].get_absolute_url(): "/flux/decisions.atom",
        "/comptes/ecritures/1/": "/flux/ecritures.atom",
        record["task"].get_absolute_url(): "/flux/taches.atom",
    }
    for page, feed in pages.items():
        head = Client().get(page).content.decode().split("</head>")[0]
        assert 'type="application/atom+xml" title="' in head, page
        assert f'href="{feed}"' in head, page
