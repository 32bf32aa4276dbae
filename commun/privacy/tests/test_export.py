"""A member's archive holds every declared field of theirs, and nothing of anyone else."""

import datetime
import io
import json
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from commun.conftest import PASSWORD
from commun.privacy import declarations, export
from commun.privacy.export import OWNER_FIELDS, SECRET_FIELDS, owned_querysets


def archive_of(client, url=None) -> tuple[dict, zipfile.ZipFile]:
    response = client.get(url or reverse("privacy:my_data"))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return json.loads(archive.read("donnees.json")), archive


@pytest.fixture
def bob_wrote(bob, alice):
    """Bob talks in a thread, with Alice around: their words must not mix."""
    from commun.deliberation.models import Space

    thread = Space.objects.cooperative().start_thread(alice, "Budget 2027", "Alice ouvre le fil.")
    thread.post_comment(bob, "Bob répond sur le budget.")
    bob.phone = "06 12 34 56 78"
    bob.postal_address = "12 rue des Communs, 69000 Lyon"
    bob.pseudonym = "bobo"
    bob.bio = "Développeur."
    bob.save()
    return thread


def test_the_archive_holds_every_declared_field_of_the_member(client, bob, bob_wrote):
    client.login(email=bob.user.email, password=PASSWORD)
    data, archive = archive_of(client)

    for model, queryset in owned_querysets(bob.user):
        if not queryset.exists():
            continue
        label = model._meta.label
        for field in model._meta.concrete_fields:
            if declarations.declaration(field) and f"{label}.{field.name}" not in SECRET_FIELDS:
                assert field.attname in data[label][0], f"{label}.{field.name}"
    assert data["members.Member"][0]["postal_address"] == "12 rue des Communs, 69000 Lyon"
    assert data["accounts.User"][0]["email"] == bob.user.email
    assert [c["body"] for c in data["deliberation.Comment"]] == ["Bob répond sur le budget."]
    assert {"LISEZMOI.txt", "donnees.json", "members.Member.csv"} <= set(archive.namelist())


def test_the_archive_holds_nothing_of_anyone_else(client, bob, alice, bob_wrote):
    client.login(email=bob.user.email, password=PASSWORD)
    _data, archive = archive_of(client)
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()

    for value in (alice.first_name, alice.last_name, alice.user.email, "Alice ouvre le fil"):
        assert value not in everything
    assert "password" not in everything and "argon2" not in everything and "md5$" not in everything


def test_an_officer_produces_a_members_archive_on_request(people, bob):
    url = reverse("privacy:member_data", args=[bob.number])
    data, _archive = archive_of(people["officer"], url)
    assert data["members.Member"][0]["number"] == bob.number
    assert people["member"].get(url).status_code == 403
    assert people["visitor"].get(url).status_code == 302


def test_an_applicant_without_membership_gets_their_application(client, carol):
    client.login(email=carol.user.email, password=PASSWORD)
    data, _archive = archive_of(client)
    assert data["members.Application"][0]["email"] == carol.email
    assert "members.Member" not in data


def test_the_api_gives_the_same_archive(bob, bob_wrote):
    from django.test import Client

    from commun.testing.api import bearer

    response = bearer(bob.user).get("/api/v1/me/data")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json"))
    assert data["members.Member"][0]["pseudonym"] == "bobo"
    assert Client().get("/api/v1/me/data").status_code == 401


# Every officer and every mission proposer authored a decision: their archive must build.


def test_the_archive_of_a_decisions_author_downloads(people, alice):
    from commun.testing.decisions import opened

    decision = opened(alice, "consent")
    for url in (
        reverse("privacy:my_data"),
        reverse("privacy:member_data", args=[alice.number]),
    ):
        data, _archive = archive_of(people["officer"], url)
        (row,) = data["decisions.Decision"]
        assert row["id"] == decision.pk
        assert row["min_deliberation"] == "P1DT00H00M00S"  # ISO 8601, as JSON can carry it


def test_the_archive_holds_the_decisions_a_member_was_called_to(client, bob, alice):
    """Eligibility rows have no id of their own (keyed by decision and member): the archive
    names each by its decision, with the college the member had at the opening where the
    vote is weighted by college (the only decisions that keep it)."""
    from commun.testing.decisions import opened

    weighted = opened(alice, "yes_no", weighted_by_college=True)
    plain = opened(alice, "yes_no")
    client.login(email=bob.user.email, password=PASSWORD)

    data, _archive = archive_of(client)

    assert sorted(data["decisions.Eligibility"], key=lambda row: row["decision_id"]) == [
        {"decision_id": weighted.pk, "member_id": bob.pk, "college_id": bob.category.college_id},
        {"decision_id": plain.pk, "member_id": bob.pk, "college_id": None},
    ]


def test_the_archive_of_a_mission_proposer_downloads(bob):
    from commun.testing.api import bearer
    from commun.testing.budgets import fund, submitted

    fund(1_000_000)
    mission = submitted(bob)
    response = bearer(bob.user).get("/api/v1/me/data")
    assert response.status_code == 200, response.status_code
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("donnees.json"))
    assert [row["id"] for row in data["budgets.Mission"]] == [mission.pk]
    assert [row["title"] for row in data["decisions.Decision"]] == [mission.decision.title]
    assert "decisions.Decision.csv" in archive.namelist()


# A value of each kind of field, as a row holds it once read from the database.
SAMPLES = {
    "AutoField": 7,
    "BigAutoField": 7,
    "BigIntegerField": -12_345_678_901,
    "BooleanField": True,
    "CharField": "Zoé « Zo » O'Brien",
    "DateField": datetime.date(2026, 2, 28),
    "DateTimeField": datetime.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC),
    "DecimalField": Decimal("0.4231"),
    "DurationField": datetime.timedelta(days=3, hours=4, seconds=5),
    "FileField": "justificatifs/2026/facture.pdf",
    "ForeignKey": 3,
    "IntegerField": -42,
    "JSONField": {"lignes": [{"montant": 1250, "libellé": "Café"}], "note": None},
    "OneToOneField": 3,
    "PositiveBigIntegerField": 12_345_678_901,
    "PositiveIntegerField": 42,
    "PositiveSmallIntegerField": 12,
    "SlugField": "atelier-partage",
    "TextField": "Ligne 1\nLigne 2, « guillemets »",
    "UUIDField": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "BinaryField": b"\x00\xffcl\xe9",
    "TimeField": datetime.time(14, 5, 9),
    "FloatField": 0.25,
}


def exportable_models():
    """Every model a person's archive may hold a row of (their own, or one they own)."""
    found = {apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("members", "Member")}
    for model in apps.get_models():
        if any(f.is_relation and f.name in OWNER_FIELDS for f in model._meta.concrete_fields):
            found.add(model)
    return sorted(found, key=lambda model: model._meta.label)


def field_types() -> dict[str, tuple[type, models.Field]]:
    """One exported field of each type, plus each type a declared personal field uses."""
    found = {}
    fields = [(m, f) for m in exportable_models() for f in m._meta.concrete_fields]
    fields += [(item.model, item.field) for item in declarations.declared_fields()]
    for model, field in fields:
        found.setdefault(field.get_internal_type(), (model, field))
    return found


def test_every_type_of_exported_field_has_a_sample():
    missing = set(field_types()) - set(SAMPLES)
    assert not missing, f"Add a sample of these field types to SAMPLES: {sorted(missing)}"


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_type_of_field_exports_to_json_and_back(kind):
    if kind not in field_types():
        pytest.skip(f"no exported field is a {kind}")
    model, field = field_types()[kind]
    row = model()
    setattr(row, field.attname, SAMPLES[kind])

    exported = json.loads(json.dumps(export.exported_value(field, row)))

    if kind == "FileField":
        assert exported == SAMPLES[kind]
    else:
        assert field.to_python(exported) == SAMPLES[kind], (field, exported)


def test_the_archive_of_someone_who_proposed_a_decision_holds_its_durations(bob, bob_wrote):
    """A decision's minimum deliberation time is a duration: it used to make the archive
    fail (500) for anyone who had proposed one."""
    from commun.testing.api import bearer

    client = bearer(bob.user)
    proposal = {"title": "Budget", "body": "On vote le budget.", "min_deliberation_days": 7}
    created = client.post(
        f"/api/v1/threads/{bob_wrote.pk}/decisions",
        data=json.dumps(proposal),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    response = client.get("/api/v1/me/data")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json"))
    (decision,) = data["decisions.Decision"]
    assert decision["min_deliberation"] == "P7DT00H00M00S"


def test_every_secret_left_out_names_a_real_field():
    """A renamed field would otherwise slip into the archive unnoticed."""
    for path in export.SECRET_FIELDS:
        label, _dot, name = path.rpartition(".")
        apps.get_model(label)._meta.get_field(name)  # raises FieldDoesNotExist


def test_the_archive_holds_no_token_digest(client, bob):
    from commun.accounts.models import ApiToken

    token, _secret = ApiToken.issue(bob.user, "Tableur")
    client.force_login(bob.user)
    data, _archive = archive_of(client, reverse("privacy:my_data"))
    (row,) = data["accounts.ApiToken"]
    assert token.digest not in json.dumps(data)
    assert "digest" not in row and "seal_id" not in json.dumps(data)


def test_the_archive_holds_no_calendar_address_digest(client, bob):
    from commun.feeds.models import CalendarLink

    link, _secret = CalendarLink.objects.issue(bob.user)
    client.force_login(bob.user)
    data, _archive = archive_of(client, reverse("privacy:my_data"))
    (row,) = data["feeds.CalendarLink"]
    assert link.digest not in json.dumps(data)
    assert "digest" not in row
