"""An item accepted after the convocation reaches every member convened, in their language,
and the convocation shows it; a request after the statutes' deadline (25 days before the
meeting by default) is refused on the page and in the API, nothing written."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from commun.assemblies.models import Assembly, AssemblyRules, Kind
from commun.assemblies.requests import ItemRequest
from commun.conftest import client_for
from commun.testing.api import bearer, call
from commun.testing.assemblies import convened
from commun.testing.pdf import holds

pytestmark = pytest.mark.django_db


def test_every_member_convened_is_told_of_an_item_added_in_their_language(
    alice, bob, django_capture_on_commit_callbacks
):
    assembly = convened(alice.user, days_ahead=30)
    bob.language = "en"
    bob.save(update_fields=["language"])
    asked = ItemRequest.ask(assembly, bob.user, "resolution", "Un local plus grand", "Louer…")
    with django_capture_on_commit_callbacks(execute=True):
        item = asked.accept(alice.user)
    convened_to = sorted(
        assembly.participants.values_list("member__user__email", flat=True).order_by()
    )
    assert convened_to == ["alice@example.org", "bob@example.org"]
    assert sorted(address for email in mail.outbox for address in email.to) == convened_to
    by_address = {email.to[0]: email for email in mail.outbox}
    french, english = by_address["alice@example.org"], by_address["bob@example.org"]
    assert french.subject == "Un point ajouté à l'ordre du jour : Assemblée générale annuelle"
    assert "2. Résolution — Un local plus grand" in french.body and "Louer…" in french.body
    url = f"/assemblees/{assembly.pk}/convocation/"
    assert url in french.body and url in english.body
    assert english.subject == "An item added to the agenda: Assemblée générale annuelle"
    assert "2. Resolution — Un local plus grand" in english.body
    assert item.position == 2


def test_a_refused_request_tells_nobody_else(alice, bob, django_capture_on_commit_callbacks):
    assembly = convened(alice.user, days_ahead=30)
    asked = ItemRequest.ask(assembly, bob.user, "information", "Le pique-nique")
    with django_capture_on_commit_callbacks(execute=True):
        asked.refuse(alice.user, "Non.")
    assert [email.to for email in mail.outbox] == [["bob@example.org"]]


def test_the_convocation_page_and_pdf_show_the_item_added(alice, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assembly = convened(alice.user, days_ahead=30)
    ItemRequest.ask(assembly, bob.user, "resolution", "Un local", "Louer…").accept(alice.user)
    client = client_for(bob.user)
    page = client.get(f"/assemblees/{assembly.pk}/convocation/").content.decode()
    assert "Résolution — Un local" in page
    assert "après l'envoi de la convocation" in page
    assert "doit arriver 25 jours au moins avant l'assemblée" in page
    document = client.get(f"/assemblees/{assembly.pk}/convocation.pdf").content
    assert holds(document, "Résolution — Un local")


def test_a_request_after_the_deadline_is_refused_nothing_written(alice, bob):
    # 20 days ahead: the default 25 days before the meeting have already passed.
    assembly = convened(alice.user, days_ahead=20)
    assert assembly.requests_deadline == assembly.starts_at - datetime.timedelta(days=25)
    with pytest.raises(ValidationError) as refused:
        ItemRequest.ask(assembly, bob.user, "information", "Trop tard")
    assert "25 jours au moins avant l'assemblée" in refused.value.message_dict["asked_at"][0]
    client = client_for(bob.user)
    page = client.get(f"/assemblees/{assembly.pk}/").content.decode()
    assert "Envoyer la demande" not in page
    assert "Les demandes d'inscription d'un point étaient reçues jusqu'au" in page
    response = client.post(
        f"/assemblees/{assembly.pk}/demandes/", {"kind": "information", "title": "Trop tard"}
    )
    assert response.status_code == 422
    assert "le délai a pris fin le" in response.content.decode()
    response = call(
        bearer(bob.user),
        "POST",
        f"/assemblies/{assembly.pk}/item-requests",
        {"kind": "information", "title": "Trop tard"},
    )
    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert detail["loc"][-1] == "asked_at" and "25 jours" in detail["msg"]
    assert not ItemRequest.objects.exists() and assembly.items.count() == 1


def test_the_deadline_is_the_one_of_the_convocation_day(alice, bob):
    """The statutes' deadline is kept with the rules the assembly was convened under."""
    assembly = convened(alice.user, days_ahead=20, requests_deadline_days=10)
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, requests_deadline_days=25)
    asked = ItemRequest.ask(assembly, bob.user, "information", "À temps")
    assert asked.pk is not None
    too_late = assembly.starts_at - datetime.timedelta(days=9)
    with pytest.raises(ValidationError):
        ItemRequest.ask(assembly, bob.user, "information", "Trop tard", now=too_late)
    assert ItemRequest.objects.count() == 1


def test_no_deadline_takes_requests_until_the_opening(alice, bob):
    assembly = convened(alice.user, days_ahead=20, requests_deadline_days=0)
    assert assembly.requests_deadline is None
    an_hour_before = assembly.starts_at - datetime.timedelta(hours=1)
    ItemRequest.ask(assembly, bob.user, "information", "Au dernier moment", now=an_hour_before)
    # An assembly convened before the statutes had this rule takes requests as before.
    rules = {k: v for k, v in assembly.rules.items() if k != "requests_deadline_days"}
    Assembly.objects.filter(pk=assembly.pk).update(rules=rules)
    assembly.refresh_from_db()
    assert assembly.takes_requests(an_hour_before)
