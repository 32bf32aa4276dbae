"""Officers prepare an assembly and convene it: the notice period, the snapshot of who is
convened, and the convocation emailed with its agenda."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind, Participant
from commun.conftest import category, client_for, make_member
from commun.testing.assemblies import convened, draft
from commun.testing.members import every_row_count

pytestmark = pytest.mark.django_db


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def new_assembly_form(**overrides) -> dict:
    return {
        "kind": "ordinary",
        "convocation": "1",
        "title": "Assemblée générale annuelle 2026",
        "starts_at": timezone.localtime(in_days(20)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Salle des fêtes",
        "video_link": "",
        **overrides,
    }


def test_an_officer_prepares_writes_the_agenda_and_convenes_on_the_pages(
    alice, bob, carol, django_capture_on_commit_callbacks
):
    client = client_for(alice.user)
    response = client.post("/assemblees/nouvelle/", new_assembly_form())
    assembly = Assembly.objects.get()
    assert response.status_code == 302 and assembly.phase == "draft"
    response = client.post(
        f"/assemblees/{assembly.pk}/ordre-du-jour/",
        {"kind": "resolution", "title": "Approbation des comptes", "text": "L'assemblée approuve."},
    )
    assert response.status_code == 302
    client.post(
        f"/assemblees/{assembly.pk}/ordre-du-jour/",
        {"kind": "information", "title": "Rapport de gestion", "text": ""},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assemblees/{assembly.pk}/convoquer/")
    assert response.status_code == 302
    assembly.refresh_from_db()
    assert assembly.phase == "convened"
    # Alice and Bob are active members; Carol has only applied.
    convened_members = set(assembly.participants.values_list("member_id", flat=True))
    assert convened_members == {alice.pk, bob.pk}
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    email = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert email.subject == "Convocation : Assemblée générale annuelle 2026"
    assert "1. Résolution — Approbation des comptes" in email.body
    assert "2. Information — Rapport de gestion" in email.body
    assert f"/assemblees/{assembly.pk}/" in email.body
    page = client_for(bob.user).get(f"/assemblees/{assembly.pk}/convocation/").content.decode()
    assert "Approbation des comptes" in page and "Salle des fêtes" in page


def test_the_convocation_is_in_the_member_s_language(
    alice, bob, django_capture_on_commit_callbacks
):
    bob.language = "en"
    bob.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        convened(alice.user)
    email = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert email.subject == "Notice of meeting: Assemblée générale annuelle"
    assert "You are convened to the general assembly" in email.body


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (in_days(-1), "La date de l'assemblée est déjà passée."),
        (in_days(14), "Les statuts demandent une convocation 15 jours au moins"),
    ],
)
def test_a_past_date_or_a_short_notice_is_refused_and_nothing_written(alice, starts_at, message):
    client = client_for(alice.user)
    before = every_row_count()
    with pytest.raises(ValidationError) as refused:
        Assembly.prepare(
            alice.user, kind=Kind.ORDINARY, title="AG", starts_at=starts_at, place="Ici"
        )
    assert message in str(refused.value.message_dict["starts_at"])
    form = new_assembly_form(starts_at=timezone.localtime(starts_at).strftime("%Y-%m-%dT%H:%M"))
    response = client.post("/assemblees/nouvelle/", form)
    assert response.status_code == 422
    assert message in response.context["form"].errors["starts_at"][0]
    assert every_row_count() == before


def test_the_notice_is_the_statutes_for_that_kind(alice):
    AssemblyRules.of(Kind.EXTRAORDINARY).update(alice.user, notice_days=30)
    with pytest.raises(ValidationError):
        draft(alice.user, Kind.EXTRAORDINARY, days_ahead=20)
    assert draft(alice.user, Kind.ORDINARY, days_ahead=20).kind == Kind.ORDINARY


def test_a_draft_left_waiting_past_its_notice_can_no_longer_be_convened(alice, bob):
    assembly = draft(alice.user, days_ahead=20)
    with pytest.raises(ValidationError) as refused:
        assembly.convene(alice.user, now=in_days(10))
    assert "15 jours au moins" in str(refused.value)
    assert not Participant.objects.exists()
    assert Assembly.objects.get().phase == "draft"


def test_an_assembly_needs_a_place_or_a_link_and_a_resolution(alice):
    with pytest.raises(ValidationError) as refused:
        Assembly.prepare(alice.user, kind=Kind.ORDINARY, title="AG", starts_at=in_days(20))
    assert "place" in refused.value.message_dict
    assembly = Assembly.prepare(
        alice.user,
        kind=Kind.ORDINARY,
        title="AG",
        starts_at=in_days(20),
        video_link="https://visio.example.org/ag",
    )
    with pytest.raises(ValidationError, match="aucune résolution"):
        assembly.convene(alice.user)
    with pytest.raises(ValidationError) as refused:
        assembly.add_item(alice.user, AgendaItem.Kind.RESOLUTION, "Sans texte", "")
    assert "text" in refused.value.message_dict


def test_the_convocation_fixes_who_is_convened_and_the_rules(alice, bob):
    assembly = convened(alice.user, max_proxies=2)
    late = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, max_proxies=5, notice_days=20)
    assembly.refresh_from_db()
    assert assembly.rules["max_proxies"] == 2 and assembly.rules["notice_days"] == 15
    assert not assembly.participants.filter(member=late).exists()
    assert assembly.participants.get(member=bob).college.name == "Usager·es"


def test_the_agenda_is_frozen_once_convened(alice, bob):
    assembly = convened(alice.user)
    with pytest.raises(PermissionDenied, match="Convoquée"):
        assembly.add_item(alice.user, AgendaItem.Kind.INFORMATION, "Ajout tardif")
    with pytest.raises(PermissionDenied):
        assembly.convene(alice.user)


def test_members_do_not_prepare_nor_see_drafts(alice, bob):
    assembly = draft(alice.user)
    client = client_for(bob.user)
    assert client.get("/assemblees/nouvelle/").status_code == 403
    assert client.get(f"/assemblees/{assembly.pk}/").status_code == 404
    assert client.post(f"/assemblees/{assembly.pk}/convoquer/").status_code == 404
    assert "Assemblée générale annuelle" not in client.get("/assemblees/").content.decode()
    with pytest.raises(PermissionDenied):
        Assembly.prepare(
            bob.user, kind=Kind.ORDINARY, title="AG", starts_at=in_days(20), place="Ici"
        )
