"""Bad input on the decision pages gets a clear French error and writes nothing.

Bob proposes, Gus (same college) takes part.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from commun.conftest import client_for
from commun.decisions.models import Decision, Objection, Stance, StanceChange, Version
from commun.decisions.templatetags.decisions import diff_html
from commun.testing.decisions import DAY, in_objection_round, opened, propose, thread_for

ATTACK = '<script>alert("x")</script><img src=x onerror="alert(1)">[lien](javascript:alert(1))'


class Elements(HTMLParser):
    """The tags and attributes of a page, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_harmless(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in ("script", "img", "iframe"), tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), attrs


@pytest.fixture
def author(bob):
    return client_for(bob.user)


@pytest.fixture
def member(gus):
    return client_for(gus.user)


def main_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_an_objection_without_a_reason_is_refused_in_french(member, bob, gus):
    decision = in_objection_round(bob)

    response = member.post(
        f"/decisions/{decision.pk}/position/",
        {"stance-choice": "objection", "stance-reason": "   "},
    )

    assert response.status_code == 400
    assert "Une objection doit être motivée" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Stance.objects.exists()
    assert not Objection.objects.exists()
    assert not StanceChange.objects.exists()


def test_a_vote_after_the_close_is_refused_in_french(member, bob, gus):
    decision = opened(bob, "yes_no")
    decision.close(now=decision.closes_at + DAY)

    response = member.post(f"/decisions/{decision.pk}/position/", {"stance-choice": "yes"})

    assert response.status_code == 403
    assert "On ne peut pas se prononcer à l&#x27;étape" in response.content.decode()
    assert not Stance.objects.exists()


def test_a_vote_past_the_deadline_but_not_yet_closed_is_refused(member, bob, gus):
    decision = opened(bob, "yes_no")
    Decision.objects.filter(pk=decision.pk).update(closes_at=timezone.now() - DAY)

    response = member.post(f"/decisions/{decision.pk}/position/", {"stance-choice": "yes"})

    assert response.status_code == 400
    assert "L&#x27;échéance est passée" in response.content.decode()
    assert not Stance.objects.exists()


def test_an_option_that_does_not_exist_is_refused(member, bob, gus):
    decision = opened(bob, "approval", options=["Alpha", "Bêta"])
    other = opened(bob, "approval", options=["Gamma", "Delta"])
    foreign = other.options.first()

    for forged in ("999999", "abc", str(foreign.pk)):
        response = member.post(f"/decisions/{decision.pk}/position/", {"stance-ballot": forged})
        assert response.status_code == 400
        assert "Une option de ce bulletin n&#x27;existe pas dans ce vote." in (
            response.content.decode()
        )
    assert not Stance.objects.exists()


def test_a_rank_out_of_the_list_or_no_rank_at_all_is_refused(member, bob, gus):
    decision = opened(bob, "ranked", options=["Alpha", "Bêta"])
    a, b = decision.options.all()

    response = member.post(f"/decisions/{decision.pk}/position/", {f"stance-rank-{a.pk}": "7"})
    assert response.status_code == 400
    assert "Choisissez un rang dans la liste." in response.content.decode()
    response = member.post(f"/decisions/{decision.pk}/position/", {})
    assert response.status_code == 400
    assert "Classez au moins une option." in response.content.decode()
    assert not Stance.objects.exists()


def test_a_dismissal_needs_a_written_reason(author, bob, gus):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(gus, "objection", "Trop cher.")
    objection = Objection.objects.get()

    response = author.post(
        f"/objections/{objection.pk}/ecarter/", {f"objection-{objection.pk}-status_note": ""}
    )

    assert response.status_code == 400
    assert "Expliquez pourquoi ce n&#x27;est pas une objection" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.RAISED


def test_an_amendment_cannot_integrate_another_decisions_objection(author, bob, gus):
    elsewhere = in_objection_round(bob)
    elsewhere.current_round.take_stance(gus, "objection", "Ailleurs.")
    decision = opened(bob)

    response = author.post(
        f"/decisions/{decision.pk}/amender/",
        {
            "amend-title": "Titre",
            "amend-body": "Texte revu.",
            "amend-integrates": [str(Objection.objects.get().pk)],
        },
    )

    assert response.status_code == 400
    assert "Seules les objections encore ouvertes" in response.content.decode()
    assert decision.versions.count() == 1


def test_closing_before_the_minimum_deliberation_is_refused(author, bob, gus):
    decision = in_objection_round(bob, min_deliberation=3 * DAY)
    for person in (bob, gus):
        decision.current_round.take_stance(person, "consent")

    response = author.post(f"/decisions/{decision.pk}/clore/", {})

    assert response.status_code == 400
    assert "La durée minimale de délibération court jusqu" in response.content.decode()
    decision.refresh_from_db()
    assert decision.phase == Decision.Phase.OBJECTIONS


def test_a_deadline_inside_the_minimum_deliberation_is_refused(author, bob):
    thread = thread_for(bob)
    response = author.post(
        f"/fils/{thread.pk}/proposer-une-decision/",
        {
            "kind": "consent",
            "title": "Vite",
            "body": "Décidons vite.",
            "scope": "cooperative",
            "visibility": "public",
            "min_deliberation": "10",
            "closes_at": (timezone.localtime() + DAY).strftime("%Y-%m-%dT%H:%M"),
            "quorum_percent": "0",
            "threshold": "majority",
            "points_per_voter": "100",
        },
    )
    assert response.status_code == 400
    assert "L&#x27;échéance doit laisser au moins la durée minimale" in response.content.decode()
    assert not Decision.objects.exists()


def test_no_script_gets_through_a_proposal_its_versions_or_objections(author, member, bob, gus):
    decision = propose(
        bob,
        title=f"Titre {ATTACK}"[:200],
        body=f"Corps {ATTACK}",
        min_deliberation=datetime.timedelta(0),
    )
    decision.open()
    decision.amend(bob, title="Titre", body=f"Autre corps {ATTACK} fin")
    decision.advance(bob)
    decision.advance(bob)
    decision.current_round.take_stance(gus, "objection", f"Raison {ATTACK}")

    for client in (author, member):
        page = main_of(client.get(f"/decisions/{decision.pk}/"))
        assert "&lt;script&gt;" in page  # shown as text in the diff and the titles
        assert_harmless(page)
    assert_harmless(main_of(member.get("/decisions/")))
    assert Version.objects.filter(body__contains="<script>").count() == 2  # source kept


def test_the_diff_filter_escapes_html():
    html = diff_html('<b onclick="x()">gras</b>\nmême', "<script>alert(1)</script>\nmême")

    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<del>" in html and "<ins>" in html
    assert '<div class="diff-line same">même</div>' in html


def test_the_diff_filter_marks_changed_words_only():
    html = diff_html("Nous achetons un serveur neuf.", "Nous achetons un serveur d'occasion.")

    assert "Nous achetons un serveur " in html
    assert "neuf.</del>" in html
    assert "d&#x27;occasion.</ins>" in html
