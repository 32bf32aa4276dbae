"""Officers admit or refuse applications, with htmx or plain forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commun.conftest import category, client_for, make_applicant
from commun.members.models import Application, Cooperative, Member, ShareMovement

HTMX = {"HTTP_HX_REQUEST": "true"}


def admit_url(application):
    return reverse("officers:admit_application", args=[application.pk])


def refuse_url(application):
    return reverse("officers:refuse_application", args=[application.pk])


def test_it_admits_with_the_next_number_a_subscription_and_an_email(
    people, carol, mailoutbox, django_capture_on_commit_callbacks
):
    next_number = Cooperative.get().last_member_number + 1
    with django_capture_on_commit_callbacks(execute=True):
        response = people["officer"].post(admit_url(carol))
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.status == Application.Status.ADMITTED
    member = carol.member
    assert member.number == next_number
    assert member.status == Member.Status.ADMITTED  # effective once the shares are paid
    subscription = member.movements.get()
    assert (subscription.kind, subscription.quantity) == ("subscription", carol.shares)
    assert [m.to for m in mailoutbox] == [["carol@example.org"]]
    assert str(next_number) in mailoutbox[0].body


def test_it_admits_through_htmx_and_answers_with_the_row(people, carol):
    response = people["officer"].post(admit_url(carol), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="application-{carol.pk}"' in html
    assert "associé·e n°3" in html


def test_it_refuses_a_refusal_without_reason(people, carol, mailoutbox):
    response = people["officer"].post(refuse_url(carol), {"reason": "   "})
    assert response.status_code == 200
    assert "Un refus doit être motivé." in response.content.decode()
    carol.refresh_from_db()
    assert carol.status == Application.Status.PENDING and carol.refusal_reason == ""
    assert mailoutbox == []


def test_an_htmx_refusal_without_reason_shows_the_error_in_the_row(people, carol):
    response = people["officer"].post(refuse_url(carol), {"reason": ""}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html and "Un refus doit être motivé." in html
    assert Application.objects.get(pk=carol.pk).status == Application.Status.PENDING


def test_it_refuses_with_a_reason_sent_to_the_applicant(
    people, carol, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = people["officer"].post(refuse_url(carol), {"reason": "Hors de notre objet"})
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.status == Application.Status.REFUSED
    assert carol.refusal_reason == "Hors de notre objet"
    assert carol.decided_by == Member.objects.get(is_officer=True).user
    assert [m.to for m in mailoutbox] == [["carol@example.org"]]
    assert "Hors de notre objet" in mailoutbox[0].body
    assert not Member.objects.filter(user=carol.user).exists()


def test_refusing_twice_gives_a_clear_message(people, carol):
    officer = people["officer"]
    officer.post(refuse_url(carol), {"reason": "Hors de notre objet"})
    response = officer.post(refuse_url(carol), {"reason": "Encore"}, follow=True)
    assert "Cette candidature a déjà été traitée." in response.content.decode()
    assert Application.objects.get(pk=carol.pk).refusal_reason == "Hors de notre objet"
    response = officer.post(admit_url(carol), **HTMX)
    assert response.status_code == 200
    assert "Cette candidature a déjà été traitée." in response.content.decode()
    assert not Member.objects.filter(user=carol.user).exists()


def test_admitting_twice_keeps_one_member_and_one_number(people, carol):
    people["officer"].post(admit_url(carol))
    response = people["officer"].post(admit_url(carol), follow=True)
    assert "Cette candidature a déjà été traitée." in response.content.decode()
    assert Member.objects.filter(user=carol.user).count() == 1
    assert Cooperative.get().last_member_number == 3
    assert ShareMovement.objects.filter(member__user=carol.user).count() == 1


def test_an_unknown_application_is_not_found(people):
    assert (
        people["officer"].post(reverse("officers:admit_application", args=[999])).status_code == 404
    )


def test_the_list_shows_pending_applications_first(people, carol):
    refused = make_applicant("zoe@example.org", "Zoé", "Récente", category("Partenaires"))
    refused.refuse("Doublon")
    html = people["officer"].get(reverse("officers:applications")).content.decode()
    assert html.index("Carol Petit") < html.index("Zoé Récente")
    assert "Doublon" in html
    assert "1 candidature en attente." in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("name", ["officers:applications", "officers:members"])
def test_list_pages_make_a_bounded_number_of_queries(
    alice, coop, name, django_assert_max_num_queries
):
    officer = client_for(alice.user)
    url = reverse(name)
    for index in range(3):
        make_applicant(
            f"few{index}@example.org", "Peu", "Nombreux", category("Partenaires")
        ).admit()
    few = _count_queries(officer, url)
    for index in range(22):
        application = make_applicant(
            f"many{index}@example.org", "Très", "Nombreux", category("Partenaires")
        )
        if index % 2:
            application.admit()
    many = _count_queries(officer, url)
    assert many == few
    with django_assert_max_num_queries(12):
        officer.get(url)
