"""Addresses and IBANs are sealed at rest, readable through the models, and re-keyable."""

import base64
import io
import os

import pytest
from django.core.management import call_command
from django.db import connection

from commun.members.forms import ProfileForm
from commun.privacy import crypto

ADDRESS = "12 rue des Communs\n69000 Lyon"
IBAN = "FR7630006000011234567890189"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def keyring(settings):
    """Set the instance's keys for one test, and forget the cached ones around it."""

    def use(*keys):
        settings.COMMUN_DATA_KEYS = list(keys)
        crypto.keys.cache_clear()

    yield use
    crypto.keys.cache_clear()


def test_the_database_holds_only_the_sealed_address_and_iban(bob):
    bob.postal_address, bob.iban = ADDRESS, IBAN
    bob.save()

    stored_address = raw("members_member", "postal_address", bob.pk)
    stored_iban = raw("members_member", "iban", bob.pk)
    assert stored_address.startswith("enc1:") and "Lyon" not in stored_address
    assert stored_iban.startswith("enc1:") and "3000600" not in stored_iban
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


def test_a_value_stored_before_encryption_still_reads_and_gets_sealed(bob):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET postal_address = %s WHERE id = %s", [ADDRESS, bob.pk]
        )
    bob.refresh_from_db()
    assert bob.postal_address == ADDRESS
    call_command("rotate_data_key", stdout=io.StringIO())
    assert raw("members_member", "postal_address", bob.pk).startswith("enc1:")


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
        crypto.seal("x")


def test_restore_warns_when_the_restored_values_need_a_key_this_instance_lacks(bob, keyring):
    from commun.core.management.commands.restore import sealed_values_unreadable

    old = new_key()
    keyring(old)
    bob.postal_address = ADDRESS
    bob.save()
    assert sealed_values_unreadable() is None

    keyring(new_key())  # a fresh machine, its own key: the archive's values stay sealed
    assert sealed_values_unreadable() == crypto.key_id(base64.b64decode(old))
