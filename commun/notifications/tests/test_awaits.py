"""« À faire »: after login a member sees what awaits them, and only what is theirs."""

import pytest
from django.test import Client
from django.urls import reverse

from commun.conftest import PASSWORD, category, client_for, make_member
from commun.decisions.tests.helpers import in_objection_round, opened, propose

AWAITS = "/a-faire/"


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))


def test_it_has_its_address():
    assert reverse("notifications:awaits") == AWAITS


def test_a_member_lands_on_it_after_login(bob):
    response = Client().post(
        reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == AWAITS


def test_an_account_without_membership_is_sent_to_its_own_page(dan):
    response = client_for(dan).get(AWAITS)
    assert response.url == reverse("members:me")


def test_a_visitor_is_asked_to_log_in(db):
    response = Client().get(AWAITS)
    assert response.url.startswith(reverse("account_login"))


def test_it_lists_the_decisions_a_member_may_still_take_part_in(alice, bob, eve):
    spoken = in_objection_round(alice, title="Déjà dit")
    spoken.current_round.take_stance(bob, "consent")
    in_objection_round(alice, title="Pas encore dit")
    opened(alice, "yes_no", title="Un vote ouvert")
    propose(alice, title="Un brouillon")
    closed = in_objection_round(alice, title="Déjà close")
    closed.withdraw(alice)
    advice = opened(alice, "advice", title="Votre avis, Bob", advisors=[bob])
    opened(alice, "advice", title="L'avis d'Eve", advisors=[eve])

    page = client_for(bob.user).get(AWAITS)

    assert page.status_code == 200
    decisions = page.context["decisions"]
    titles = {d.title: d for d in decisions}
    assert set(titles) == {"Déjà dit", "Pas encore dit", "Un vote ouvert"}
    assert titles["Déjà dit"].has_spoken and not titles["Pas encore dit"].has_spoken
    assert not titles["Un vote ouvert"].has_spoken
    assert [r.decision for r in page.context["advice"]] == [advice]
    text = page.content.decode()
    assert "Vous vous êtes prononcé·e." in text
    assert "Vous ne vous êtes pas encore prononcé·e." in text
    assert "Tour d&#x27;objections" in text and "Vote ouvert" in text  # each phase named
    assert "Votre avis, Bob" in text and "L'avis d'Eve" not in text


def test_a_decision_out_of_the_members_scope_is_not_listed(alice, bob):
    opened(alice, "yes_no", title="Entre responsables", scope="officers")
    page = client_for(bob.user).get(AWAITS)
    assert [d.title for d in page.context["decisions"]] == []
    assert "Entre responsables" not in page.content.decode()


def test_given_advice_no_longer_awaits(alice, bob):
    advice = opened(alice, "advice", advisors=[bob])
    advice.advice.get(advisor=bob).give(bob, "Oui.")
    page = client_for(bob.user).get(AWAITS)
    assert list(page.context["advice"]) == []


def test_unread_notices_come_first_with_a_count_in_the_navigation(alice, bob):
    from commun.notifications.models import Notice

    first = opened(alice, "advice", title="Première", advisors=[bob])
    opened(alice, "advice", title="Seconde", advisors=[bob])
    Notice.objects.get(member=bob, params__title="Seconde").mark_read()

    page = client_for(bob.user).get(AWAITS)

    notices = page.context["notices"]
    assert [n.params["title"] for n in notices] == ["Première", "Seconde"]
    assert notices[0].url == first.get_absolute_url()
    text = page.content.decode()
    assert '<span class="badge">1<span class="visually-hidden"> message non lu</span>' in text


def test_the_register_and_the_page_are_in_the_main_navigation(bob, db):
    visitor = Client().get(reverse("core:home")).content.decode()
    assert f'href="{reverse("decisions:register")}"' in visitor
    assert f'href="{AWAITS}"' not in visitor
    member = client_for(bob.user).get(reverse("core:home")).content.decode()
    assert f'href="{AWAITS}"' in member


@pytest.mark.parametrize("count", [1, 20])
def test_the_page_costs_the_same_for_1_or_20_decisions(
    alice, bob, count, django_assert_max_num_queries
):
    for i in range(count):
        decision = in_objection_round(alice, title=f"Décision {i}")
        if i % 2:
            decision.current_round.take_stance(bob, "consent")
        opened(alice, "advice", title=f"Avis {i}", advisors=[bob])
    client = client_for(bob.user)
    with django_assert_max_num_queries(12):
        response = client.get(AWAITS)
    assert len(response.context["decisions"]) == count
    assert len(response.context["advice"]) == count
