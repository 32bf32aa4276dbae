"""The demo's assemblies: last June's annual one held with its minutes frozen, and the coming
extraordinary one convened, answered, proxies given; loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from commun.assemblies import demo as assemblies_demo
from commun.assemblies import minutes
from commun.assemblies.models import Assembly, Participant
from commun.ledger.models import FiscalYear, JournalEntry


@pytest.mark.django_db
def test_the_demo_convenes_an_extraordinary_assembly_with_proxies_given_once():
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    assert "Assemblées : 2" in out.getvalue()
    assemblies_demo.load(stdout=StringIO())
    assembly = Assembly.objects.get(title=assemblies_demo.TITLE)

    assert assembly.title == assemblies_demo.TITLE
    assert assembly.phase == Assembly.Phase.CONVENED
    assert assembly.kind == "extraordinary"
    assert (assembly.starts_at - assembly.convened_at).days >= assembly.rules["notice_days"]
    modes = list(assembly.participants.values_list("mode", flat=True))
    assert modes.count(Participant.Mode.PROXY) == 3
    assert modes.count(Participant.Mode.CHAIR) == 1
    assert {Participant.Mode.PRESENT, Participant.Mode.REMOTE} <= set(modes)
    holders = assembly.participants.filter(mode=Participant.Mode.PROXY).values_list(
        "holder", flat=True
    )
    assert len(set(holders)) == 3  # one each: the statutes' default limit
    member = assembly.participants.filter(mode=Participant.Mode.REMOTE).first().member
    client = Client()
    client.force_login(member.user)
    page = client.get(f"/assemblees/{assembly.pk}/")
    assert page.status_code == 200
    assert "Créer un collège des partenaires" in page.content.decode()


@pytest.mark.django_db
def test_last_years_annual_assembly_approved_the_2025_accounts_and_its_minutes_are_frozen():
    call_command("demo", stdout=StringIO(), stderr=StringIO())
    assemblies_demo.load(stdout=StringIO())
    annual = Assembly.objects.get(title=assemblies_demo.ANNUAL_TITLE)

    assert annual.phase == Assembly.Phase.MINUTES_FROZEN
    accounts = annual.items.get(position=2)
    assert accounts.adopted is True
    closed = FiscalYear.objects.get(year=2025)
    # The ledger's demo closed 2025 under this resolution's name; the demo closes it once.
    assert closed.decision_reference.endswith(f"13 juin 2026, résolution n°{accounts.position}")
    assert accounts.effect == {}
    assert annual.minutes.sha256 == minutes.digest(annual.minutes.text)
    assert "La résolution est adoptée." in annual.minutes.text
    assert "Coupure du vidéoprojecteur" in annual.minutes.text
    assert JournalEntry.objects.filter(kind="assembly_minutes").count() == 1
    call_command("verify", books=True, stdout=StringIO())
    member = annual.participants.filter(member__is_officer=False).first().member
    client = Client()
    client.force_login(member.user)
    assert annual.title in client.get("/assemblees/registre/").content.decode()
