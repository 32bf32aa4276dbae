"""The demo's coming extraordinary assembly: convened, answered, proxies given, loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from commun.assemblies import demo as assemblies_demo
from commun.assemblies.models import Assembly, Participant


@pytest.mark.django_db
def test_the_demo_convenes_an_extraordinary_assembly_with_proxies_given_once():
    out = StringIO()
    call_command("demo", stdout=out, stderr=StringIO())
    assert "Assemblées : 1" in out.getvalue()
    assemblies_demo.load(stdout=StringIO())
    assembly = Assembly.objects.get()

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
