"""Erasing an account leaves no personal value of the person in the database, in clear,
and changes no decision, tally or ledger entry."""

import datetime
import html
import importlib
import io
import json

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commun.conftest import PASSWORD, category, make_applicant
from commun.deliberation.models import Space
from commun.members.models import Member
from commun.privacy import erasure, retention
from commun.privacy.declarations import Erasure, declared_fields
from commun.privacy.models import PrivacyLog, RestrictedRecord
from commun.testing.decisions import opened
from commun.testing.privacy import member_with_every_field, new_key, raw

SECRETS = {
    "first_name": "Barnabé",
    "last_name": "Quenouille",
    "phone": "+33 6 98 76 54 32",
    "postal_address": "7 impasse des Tilleuls, 37000 Tours",
    "email": "barnabe.quenouille@example.org",
    "pseudonym": "quenouille37",
    "bio": "Menuisier et contributeur à des logiciels libres de menuiserie.",
    "iban": "FR7630006000011234567890189",
    "motivation": "Je veux rejoindre la coopérative pour ses valeurs sylvestres.",
}


@pytest.fixture
def barnabe(coop, alice, bob):
    """A member with every kind of personal data, who spoke in a thread and voted, then left."""
    member = member_with_every_field(
        SECRETS, category("Partenaires"), public_visibility="pseudonym"
    )
    thread = Space.objects.cooperative().start_thread(alice, "Atelier", "Où installer l'atelier ?")
    thread.post_comment(member, "Dans la grange, elle est assez grande.")
    decision = opened(alice, "yes_no")
    for voter, choice in ((alice, "yes"), (bob, "no"), (member, "yes")):
        decision.current_round.take_stance(voter, choice, reason="")
    decision.close(now=decision.closes_at + datetime.timedelta(minutes=1))
    member.resign()
    member.refresh_from_db()
    return member, decision


def every_value_in_the_database() -> str:
    """The whole database as text, table by table (what a dump would show)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == RestrictedRecord._meta.db_table:
                continue  # the restricted legal record: sealed, and allowed to keep them
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.append(" ".join(str(value) for value in row))
    return "\n".join(chunks)


def test_after_erasure_no_personal_value_of_the_person_is_left(barnabe):
    member, _decision = barnabe
    before = every_value_in_the_database()
    assert all(value in before for value in ("Barnabé", "Quenouille", SECRETS["email"]))

    erasure.erase_account(member.user)

    dump = every_value_in_the_database()
    for field, value in SECRETS.items():
        assert value not in dump, f"{field} is still in the database"
    assert "barnabe" not in dump.lower()


def test_after_erasure_tallies_journal_and_ledger_are_unchanged(barnabe):
    member, decision = barnabe
    result = decision.result
    journal_before = io.StringIO()
    call_command("export", "journal", stdout=journal_before)

    erasure.erase_account(member.user)

    decision.refresh_from_db()
    assert decision.result == result
    assert decision._count(decision.rounds.order_by("-number").first()) == result
    journal_after = io.StringIO()
    call_command("export", "journal", stdout=journal_after)
    assert journal_after.getvalue() == journal_before.getvalue()
    path = io.StringIO(journal_after.getvalue())
    exported = _tmp_file(journal_after.getvalue())
    call_command("verify", exported, stdout=io.StringIO())  # raises SystemExit on a broken chain
    call_command("verify", books=True, stdout=io.StringIO())  # the tables still match it
    assert path.getvalue()


def _tmp_file(text: str) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as file:
        file.write(text)
    return file.name


def test_the_register_identity_is_kept_sealed_for_officers_for_ten_years(barnabe, people):
    member, _decision = barnabe
    erasure.erase_account(member.user)

    record = RestrictedRecord.objects.get(member_number=member.number)
    assert json.loads(record.content)["last_name"] == "Quenouille"
    assert record.keep_until == erasure.years_after(member.left_on or timezone.localdate(), 10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM privacy_restrictedrecord WHERE id = %s", [record.pk])
        assert "Quenouille" not in cursor.fetchone()[0]
    page = people["officer"].get(reverse("privacy:restricted")).content.decode()
    assert "Quenouille" in page
    assert people["member"].get(reverse("privacy:restricted")).status_code == 403


def test_the_erased_member_shows_as_a_number_and_cannot_log_in(barnabe, people):
    member, _decision = barnabe
    erasure.erase_account(member.user)

    member.refresh_from_db()
    assert member.full_name == f"Associé·e n°{member.number}"
    assert member.public_name is None
    assert not Client().login(email=SECRETS["email"], password=PASSWORD)
    user = get_user_model().objects.get(pk=member.user_id)
    assert not user.is_active and not user.has_usable_password()
    assert PrivacyLog.objects.filter(kind="erasure", member_number=member.number).exists()


def test_an_active_member_must_resign_before_erasing(bob, client):
    client.login(email=bob.user.email, password=PASSWORD)
    response = client.post(reverse("privacy:erase"), {"password": PASSWORD, "understood": "on"})
    assert response.status_code == 409
    assert "Démissionnez d'abord" in html.unescape(response.content.decode())
    bob.refresh_from_db()
    assert bob.first_name == "Bob"


def test_a_wrong_password_erases_nothing(barnabe, client):
    member, _decision = barnabe
    client.login(email=SECRETS["email"], password=PASSWORD)
    response = client.post(reverse("privacy:erase"), {"password": "nope", "understood": "on"})
    assert response.status_code == 422
    assert "mot de passe" in response.content.decode()
    member.refresh_from_db()
    assert member.last_name == "Quenouille"
    assert not RestrictedRecord.objects.exists()


def test_a_member_who_left_erases_their_account_from_the_web(barnabe, client):
    member, _decision = barnabe
    client.login(email=SECRETS["email"], password=PASSWORD)
    assert client.get(reverse("privacy:erase")).status_code == 200
    response = client.post(reverse("privacy:erase"), {"password": PASSWORD, "understood": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.last_name == ""
    assert client.get(reverse("members:me")).status_code == 302  # logged out


def test_an_account_without_membership_erases_its_application(coop):
    applicant = make_applicant("zoe@example.org", "Zoé", "Lambda", category("Partenaires"))
    erasure.erase_account(applicant.user)
    applicant.refresh_from_db()
    assert (applicant.first_name, applicant.last_name) == ("", "")
    assert "zoe@example.org" not in every_value_in_the_database()
    assert not RestrictedRecord.objects.exists()


def test_retention_purges_what_is_past_its_term_and_logs_it(barnabe, coop):
    member, _decision = barnabe
    erasure.erase_account(member.user)
    record = RestrictedRecord.objects.get()
    refused = make_applicant("ancien@example.org", "Ancien", "Candidat", category("Partenaires"))
    refused.refuse("Pas de place")
    type(refused).objects.filter(pk=refused.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=400)
    )

    first = retention.purge()
    assert (first["restricted_records"], first["refused_applications"]) == (0, 1)
    later = datetime.datetime.combine(
        record.keep_until + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
    )
    counts = retention.purge(now=later)

    assert (counts["restricted_records"], counts["refused_applications"]) == (1, 0)
    assert not RestrictedRecord.objects.exists()
    assert "Ancien" not in every_value_in_the_database()
    assert PrivacyLog.objects.filter(kind="purge").latest("at").counts == counts
    assert retention.purge(now=later)["restricted_records"] == 0  # idempotent
    assert Member.objects.filter(pk=member.pk).exists()  # the register row stays, nameless


def stored_tasks() -> str:
    """Every queued or finished task's arguments and result, as the database keeps them."""
    from django_tasks_db.models import DBTaskResult

    return "\n".join(
        json.dumps([task.args_kwargs, task.return_value], ensure_ascii=False)
        for task in DBTaskResult.objects.all()
    )


def test_erasure_redacts_the_person_in_emails_stored_for_others(
    barnabe, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from commun.core.tasks import send_email
    from commun.notifications.tasks import send_digests

    member, _decision = barnabe
    Member.objects.filter(pk=member.pk).update(members_visibility="name")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.call() >= 1  # Alice's digest: "Barnabé Quenouille a commenté…"
        send_email.enqueue(
            ["alice@example.org"],
            f"Démission de {SECRETS['first_name']} {SECRETS['last_name']}",
            f"{SECRETS['pseudonym']} ({SECRETS['email']}) démissionne.",
        )
        send_email.enqueue(["bob@example.org"], "Merci", "Merci Barnabé !")  # no ASCII to find
    finished = send_email.enqueue(["bob@example.org"], "Rappel", "Rien.")
    DBTaskResult.objects.filter(pk=finished.id).update(
        status="SUCCESSFUL", return_value={"sent_about": f"{SECRETS['last_name']}, n°12"}
    )
    to_barnabe = send_email.enqueue([SECRETS["email"]], "Bonjour Barnabé", "Votre démission…")
    before = stored_tasks()
    assert SECRETS["last_name"] in before and SECRETS["email"] in before

    erasure.erase_account(member.user)

    after = stored_tasks()
    for field in ("first_name", "last_name", "email", "pseudonym"):
        assert SECRETS[field] not in after, f"{field} is still in a stored task"
    assert f"Associé·e n°{member.number}" in after  # the emails still say who, as the pages do
    bodies = [task.args_kwargs["args"][2] for task in DBTaskResult.objects.all()]
    assert any(body.startswith("Bonjour Alice") for body in bodies)  # others' emails stay
    assert not DBTaskResult.objects.filter(pk=to_barnabe.id).exists()  # their own mail goes


def test_the_restricted_record_keeps_the_register_identity_not_the_email(barnabe):
    member, _decision = barnabe
    erasure.erase_account(member.user)

    kept = json.loads(RestrictedRecord.objects.get(member_number=member.number).content)

    assert SECRETS["email"] not in json.dumps(kept)
    assert kept["postal_address"] == SECRETS["postal_address"]
    restricted = {
        item.field.name
        for item in declared_fields()
        if item.model is Member and item.declared.erasure == Erasure.RESTRICT
    }
    assert restricted <= set(kept)
    assert not {item.field.name for item in declared_fields() if item.model is Member} - (
        restricted
    ) & set(kept)


def test_the_erasure_page_says_what_is_kept_and_that_backups_keep_the_rest(barnabe, client):
    client.login(email=SECRETS["email"], password=PASSWORD)
    page = html.unescape(client.get(reverse("privacy:erase")).content.decode())

    for item in declared_fields():
        if item.model is Member and item.declared.erasure == Erasure.RESTRICT:
            assert str(item.field.verbose_name) in page, item.label
    assert "adresse e-mail" in page and "sauvegardes" in page


def sealed_record(number: int) -> RestrictedRecord:
    return RestrictedRecord.objects.create(
        member_number=number,
        reason="Registre",
        content=json.dumps({"last_name": "Quenouille", "email": SECRETS["email"]}),
        keep_until=datetime.date(2036, 1, 1),
    )


def forget_emails():
    migration = importlib.import_module(
        "commun.privacy.migrations.0003_restricted_records_forget_the_email"
    )
    migration.forget_emails(django_apps, None)


def test_records_sealed_before_forget_the_email(coop):
    record = sealed_record(3)

    forget_emails()

    record.refresh_from_db()
    assert json.loads(record.content) == {"last_name": "Quenouille"}


def test_forgetting_the_emails_skips_the_records_it_cannot_open(coop, keyring, caplog):
    lost, kept = new_key(), new_key()
    keyring(lost)
    unreadable = sealed_record(3)
    keyring(kept)
    readable = sealed_record(4)
    stored = raw("privacy_restrictedrecord", "content", unreadable.pk)

    forget_emails()  # the upgrade goes on: one unreadable record does not stop it

    assert json.loads(RestrictedRecord.objects.get(pk=readable.pk).content) == {
        "last_name": "Quenouille"
    }
    assert raw("privacy_restrictedrecord", "content", unreadable.pk) == stored
    warning = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "1 restricted record(s)" in warning and f"row {unreadable.pk}" in warning


def _application_as_blanked(application) -> dict:
    """The application's fields declared to be erased, its erased address made user-neutral."""
    from commun.members.models import Application

    application.refresh_from_db()
    fields = [
        item.field.name
        for item in declared_fields()
        if item.model is Application and item.declared.erasure == Erasure.ERASE
    ]
    values = {name: getattr(application, name) for name in fields}
    values["email"] = values["email"].replace(str(application.user_id), "{pk}")
    return values


def test_erasure_and_retention_blank_an_application_alike(coop):
    from commun.members.models import Application

    long_ago = timezone.now() - datetime.timedelta(days=400)
    erased = make_applicant("ada@example.org", "Ada", "Un", category("Partenaires"), phone="0601")
    purged = make_applicant("bea@example.org", "Béa", "Deux", category("Partenaires"), phone="0602")
    # Withdrawn by their applicants, without a refusal's reason.
    Application.objects.filter(pk__in=[erased.pk, purged.pk]).update(
        status=Application.Status.WITHDRAWN, decided_at=long_ago
    )

    erasure.erase_account(erased.user)
    assert retention.purge()["refused_applications"] == 1

    assert _application_as_blanked(erased) == _application_as_blanked(purged)
    assert _application_as_blanked(purged) == {
        "first_name": "",
        "last_name": "",
        "organisation_name": "",
        "phone": "",
        "postal_address": "",
        "email": erasure.ERASED_EMAIL,
        "motivation": "",
        "refusal_reason": "",
    }


def test_erasure_ends_the_personal_calendar_address(barnabe):
    from commun.feeds.models import CalendarLink

    member, _decision = barnabe
    CalendarLink.objects.create(member=member, digest="c" * 64)

    erasure.erase_account(member.user)

    assert not CalendarLink.objects.filter(member=member).exists()


def test_erasure_blanks_the_name_an_admission_webhook_showed(barnabe):
    """An officer's replay of an old event must not send an erased member's name again."""
    from commun.hooks.models import Event

    member, _decision = barnabe
    Event.objects.create(
        type="member.admitted",
        data={"number": member.number, "public_name": SECRETS["pseudonym"], "category": "x"},
    )
    other = Event.objects.create(
        type="member.admitted", data={"number": member.number + 1, "public_name": "Autre"}
    )

    erasure.erase_account(member.user)

    assert SECRETS["pseudonym"] not in every_value_in_the_database()
    assert Event.objects.get(data__number=member.number).data["public_name"] is None
    other.refresh_from_db()
    assert other.data["public_name"] == "Autre"
