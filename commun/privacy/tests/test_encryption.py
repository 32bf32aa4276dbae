"""Addresses and IBANs are sealed at rest, readable through the models, and re-keyable."""

import base64
import importlib
import io
import os
import uuid
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from commun.members.forms import ProfileForm
from commun.members.models import Application, Member
from commun.privacy import crypto
from commun.privacy.models import RestrictedRecord
from commun.testing.members import join_data
from commun.testing.privacy import new_key, put_raw, raw

ADDRESS = "12 rue des Communs\n69000 Lyon"
IBAN = "FR7630006000011234567890189"


def sealed(stored: str, plain: str) -> bool:
    """Stored as `enc2:<key id>:<base64>`, holding neither the text nor its bytes. The probe
    is the whole text: a random ciphertext may spell any short word (« Lyon » came up once
    in a base64 string, and failed a run)."""
    prefix, _key, body = stored.split(":", 2)
    opened = base64.b64decode(body, validate=True)
    return prefix == "enc2" and plain not in stored and plain.encode() not in opened


def test_the_database_holds_only_the_sealed_address_and_iban(bob):
    bob.postal_address, bob.iban = ADDRESS, IBAN
    bob.save()

    assert sealed(raw("members_member", "postal_address", bob.pk), ADDRESS)
    assert sealed(raw("members_member", "iban", bob.pk), IBAN)
    bob.refresh_from_db()
    assert (bob.postal_address, bob.iban) == (ADDRESS, IBAN)


def test_an_altered_sealed_value_is_refused_not_misread(bob):
    bob.postal_address = ADDRESS
    bob.save()
    stored = raw("members_member", "postal_address", bob.pk)
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET postal_address = %s WHERE id = %s", [tampered, bob.pk]
        )
    with pytest.raises(crypto.UndecryptableValue):
        bob.refresh_from_db()


def test_rotation_reseals_every_value_under_the_new_key(bob, alice, carol, keyring):
    old, new = new_key(), new_key()
    keyring(old)
    for person in (bob, alice, carol):
        person.postal_address = f"{person.first_name}, 1 place du Marché"
        person.save()
    bob.iban = IBAN
    bob.save()

    keyring(new, old)
    call_command("rotate_data_key", stdout=io.StringIO())

    keyring(new)  # the old key is gone: everything must open with the new one alone
    for table, person in (("members_member", bob), ("members_member", alice)):
        assert raw(table, "postal_address", person.pk).split(":")[1] == crypto.key_id(
            base64.b64decode(new)
        )
        person.refresh_from_db()
    assert bob.iban == IBAN
    carol.refresh_from_db()
    assert carol.postal_address == "Carol, 1 place du Marché"


def test_a_clear_value_written_behind_the_field_is_refused_not_shown(bob):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET postal_address = %s WHERE id = %s", [ADDRESS, bob.pk]
        )
    with pytest.raises(crypto.UndecryptableValue, match="members_member.postal_address"):
        Member.objects.get(pk=bob.pk).postal_address  # noqa: B018
    with pytest.raises(CommandError, match=f"members_member.postal_address, row {bob.pk}"):
        call_command("rotate_data_key", stdout=io.StringIO())


@pytest.mark.parametrize("iban", ["FR76 3000 6000 0112 3456 7890 188", "NOTANIBAN", "FR76"])
def test_a_wrong_iban_gets_a_field_error(bob, iban):
    form = ProfileForm(
        data={"public_visibility": bob.public_visibility, "iban": iban}, instance=bob
    )
    assert not form.is_valid()
    assert "iban" in form.errors


def test_an_iban_is_normalised_when_saved_from_the_profile(bob):
    form = ProfileForm(
        data={
            "public_visibility": bob.public_visibility,
            "iban": "fr76 3000 6000 0112 3456 7890 189",
        },
        instance=bob,
    )
    assert form.is_valid(), form.errors
    form.save()
    bob.refresh_from_db()
    assert bob.iban == IBAN


def test_a_malformed_key_is_refused_clearly(keyring):
    keyring("c2hvcnQ=")
    with pytest.raises(Exception, match="32 random bytes"):
        crypto.seal("x", crypto.place("t", "c", uuid.uuid4()))


def test_restore_warns_when_the_restored_values_need_a_key_this_instance_lacks(bob, keyring):
    from commun.core.management.commands.restore import sealed_values_unreadable

    old = new_key()
    keyring(old)
    bob.postal_address = ADDRESS
    bob.save()
    assert sealed_values_unreadable() is None

    keyring(new_key())  # a fresh machine, its own key: the archive's values stay sealed
    assert sealed_values_unreadable() == crypto.key_id(base64.b64decode(old))


# --- Sealed values know what they hold (issue 10, finding 4) ---------------------------------

JOIN = "/rejoindre/"
TYPED_AS_SEALED = "enc1:deadbeef:" + base64.b64encode(b"\0" * 40).decode()


def legacy_seal(plaintext: str, key_text: str) -> str:
    """What the first format stored: AES-GCM without associated data, bound to nothing."""
    key = base64.b64decode(key_text)
    nonce = os.urandom(12)
    body = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"enc1:{crypto.key_id(key)}:{base64.b64encode(nonce + body).decode()}"


def join_with_address(client, address: str) -> Application:
    data = join_data(phone="", postal_address=address, shares="1", motivation="")
    response = client.post(JOIN, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.get(email="zoe@example.org")


@pytest.mark.parametrize("typed", [TYPED_AS_SEALED, "enc2:00000000:AAAA", "enc1:"])
def test_an_address_typed_like_a_sealed_value_is_sealed_like_any_other(coop, client, people, typed):
    application = join_with_address(client, typed)

    stored = raw("members_application", "postal_address", application.pk)
    assert stored != typed and typed not in stored
    assert Application.objects.get(pk=application.pk).postal_address == typed
    assert people["officer"].get(reverse("officers:applications")).status_code == 200
    call_command("rotate_data_key", stdout=io.StringIO())
    assert Application.objects.get(pk=application.pk).postal_address == typed


def test_an_iban_moved_to_another_member_row_is_refused_not_shown(alice, bob):
    bob.iban = IBAN
    bob.save()
    alice.iban = "FR1420041010050500013M02606"
    alice.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET iban = (SELECT iban FROM members_member WHERE id = %s) "
            "WHERE id = %s",
            [bob.pk, alice.pk],
        )

    moved = Member.objects.get(pk=alice.pk)
    with pytest.raises(crypto.UndecryptableValue) as refused:
        moved.iban  # noqa: B018
    assert "members_member" in str(refused.value) and "iban" in str(refused.value)
    assert str(alice.pk) in str(refused.value)
    assert Member.objects.get(pk=bob.pk).iban == IBAN


def test_a_value_moved_to_another_column_or_table_is_refused(bob, carol):
    bob.postal_address = ADDRESS
    bob.save()
    sealed = raw("members_member", "postal_address", bob.pk)
    put_raw("members_member", "iban", bob.pk, sealed)
    put_raw("members_application", "postal_address", carol.pk, sealed)

    with pytest.raises(crypto.UndecryptableValue):
        Member.objects.get(pk=bob.pk).iban  # noqa: B018
    with pytest.raises(crypto.UndecryptableValue):
        Application.objects.get(pk=carol.pk).postal_address  # noqa: B018


def test_one_altered_address_does_not_break_the_applications_page(people, carol):
    carol.postal_address = ADDRESS
    carol.save()
    put_raw("members_application", "postal_address", carol.pk, "enc2:00000000:AAAA")
    assert people["officer"].get(reverse("officers:applications")).status_code == 200


def test_an_application_admitted_keeps_its_address_sealed_for_the_member_row(people, carol):
    carol.postal_address = ADDRESS
    carol.save()
    people["officer"].post(reverse("officers:admit_application", args=[carol.pk]))
    member = Member.objects.get(user=carol.user)
    assert member.postal_address == ADDRESS
    assert raw("members_member", "postal_address", member.pk) != raw(
        "members_application", "postal_address", carol.pk
    )


def test_rotation_reseals_the_first_format_bound_to_its_row(bob, keyring):
    old, new = new_key(), new_key()
    keyring(new, old)
    put_raw("members_member", "iban", bob.pk, legacy_seal(IBAN, old))
    with pytest.raises(crypto.UndecryptableValue, match="rotate_data_key"):
        Member.objects.get(pk=bob.pk).iban  # noqa: B018 (the old format is read only to reseal)

    call_command("rotate_data_key", stdout=io.StringIO())

    keyring(new)
    stored = raw("members_member", "iban", bob.pk)
    assert stored.startswith("enc2:") and crypto.key_id(base64.b64decode(new)) in stored
    assert Member.objects.get(pk=bob.pk).iban == IBAN


def test_the_migration_reseals_the_values_stored_in_the_first_format(bob, carol, keyring):
    key = new_key()
    keyring(key)
    put_raw("members_member", "postal_address", bob.pk, legacy_seal(ADDRESS, key))
    put_raw("members_member", "iban", bob.pk, IBAN)  # stored before encryption
    # The bug: typed like a sealed value, stored as typed. No one forges the tag without the key.
    typed = f"enc1:{crypto.key_id(base64.b64decode(key))}:" + "A" * 56
    put_raw("members_application", "postal_address", carol.pk, typed)

    migration = importlib.import_module("commun.members.migrations.0008_sealed_values_bound")
    migration.reseal_existing_values(django_apps, SimpleNamespace(connection=connection))

    bob = Member.objects.get(pk=bob.pk)
    assert (bob.postal_address, bob.iban) == (ADDRESS, IBAN)
    assert Application.objects.get(pk=carol.pk).postal_address == typed
    for table, column, pk in (
        ("members_member", "postal_address", bob.pk),
        ("members_member", "iban", bob.pk),
        ("members_application", "postal_address", carol.pk),
    ):
        assert raw(table, column, pk).startswith("enc2:")


def test_a_first_format_value_whose_key_is_missing_is_kept_for_when_it_returns(bob, keyring):
    absent, present = new_key(), new_key()
    keyring(present)
    first_format = legacy_seal(ADDRESS, absent)
    put_raw("members_member", "postal_address", bob.pk, first_format)

    out = io.StringIO()
    call_command("rotate_data_key", stdout=out)
    assert raw("members_member", "postal_address", bob.pk) == first_format
    assert crypto.key_id(base64.b64decode(absent)) in out.getvalue()

    keyring(present, absent)  # the key is back
    call_command("rotate_data_key", stdout=io.StringIO())
    assert Member.objects.get(pk=bob.pk).postal_address == ADDRESS


def test_rotation_reports_in_the_operators_language(bob, carol, keyring):
    absent, old, new = new_key(), new_key(), new_key()
    keyring(old)
    bob.postal_address = ADDRESS
    bob.save()
    put_raw("members_member", "iban", bob.pk, legacy_seal(IBAN, absent))
    put_raw("members_application", "postal_address", carol.pk, ADDRESS)  # behind the field
    keyring(new, old)

    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("rotate_data_key", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "members.Member.postal_address: 1"
    assert lines[1] == f"1 value resealed; current key {crypto.key_id(base64.b64decode(new))}."
    assert lines[2].startswith("Left as they are, their key missing from COMMUN_DATA_KEYS")
    assert crypto.key_id(base64.b64decode(absent)) in lines[2]
    assert str(refused.value).startswith("Unreadable values, left as they are:")
    assert f"members_application.postal_address, row {carol.pk}" in str(refused.value)


def test_saving_a_row_loaded_before_the_rotation_keeps_it_under_the_new_key(bob, keyring):
    old, new = new_key(), new_key()
    keyring(old)
    bob.iban = IBAN
    bob.save()
    loaded_before = Member.objects.get(pk=bob.pk)  # a page or a job holding the row
    keyring(new, old)
    call_command("rotate_data_key", stdout=io.StringIO())

    loaded_before.bio = "Apicultrice."
    loaded_before.save()

    keyring(new)  # the old key is gone: what the rotation did was not undone
    assert Member.objects.get(pk=bob.pk).iban == IBAN
    out = io.StringIO()
    call_command("rotate_data_key", "--check", stdout=out)
    assert out.getvalue().startswith("0 valeurs à rechiffrer")


def migration(name: str):
    app, module = name.split("/")
    return importlib.import_module(f"commun.{app}.migrations.{module}")


@pytest.mark.parametrize(
    ("name", "models"),
    [
        ("members/0008_sealed_values_bound", (Member, Application)),
        ("privacy/0002_restrictedrecord_seal_id", (RestrictedRecord,)),
    ],
)
def test_the_migrations_give_every_row_its_own_seal_id(name, models, alice, bob, carol):
    RestrictedRecord.objects.create(reason="Registre", content="{}", keep_until="2036-01-01")
    before = {model: set(model.objects.values_list("seal_id", flat=True)) for model in models}

    migration(name).give_seal_ids(django_apps, SimpleNamespace(connection=connection))

    for model in models:
        ids = list(model.objects.values_list("seal_id", flat=True))
        assert len(ids) == len(set(ids)) > 0 and not before[model] & set(ids), model


def test_the_migration_names_the_values_it_leaves_for_a_missing_key(bob, keyring, caplog):
    absent, present = new_key(), new_key()
    keyring(present)
    first_format = legacy_seal(ADDRESS, absent)
    put_raw("members_member", "postal_address", bob.pk, first_format)

    migration("members/0008_sealed_values_bound").reseal_existing_values(
        django_apps, SimpleNamespace(connection=connection)
    )

    assert raw("members_member", "postal_address", bob.pk) == first_format
    warning = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert f"members_member.postal_address, row {bob.pk}" in warning
    assert crypto.key_id(base64.b64decode(absent)) in warning
