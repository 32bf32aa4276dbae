"""Re-sealing under a new key loses no write made meanwhile (PostgreSQL row locks).

SQLite serialises every writer, so these only prove something on PostgreSQL.
"""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connections

from commun.conftest import category, make_member
from commun.members.models import Member
from commun.privacy import crypto, resealing
from commun.testing.concurrency import all_at_once
from commun.testing.privacy import new_key, raw

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_data_key", stdout=out)
    return out.getvalue()


def in_thread(work, name: str) -> threading.Thread:
    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_an_address_changed_while_its_row_is_resealed_is_kept(bob, keyring, monkeypatch):
    old, new = new_key(), new_key()
    keyring(old)
    bob.postal_address = "1 place du Marché, 26110 Nyons"
    bob.save()
    keyring(new, old)
    read, written = threading.Event(), threading.Event()
    seal = crypto.seal

    def slow_seal(plaintext, bound_to):
        if threading.current_thread().name == "rotation" and b"postal_address" in bound_to:
            read.set()  # the rotation has read the row and is about to write it back
            written.wait(timeout=1.5)  # locked, the change waits for the rotation instead
        return seal(plaintext, bound_to)

    monkeypatch.setattr(crypto, "seal", slow_seal)

    def move_house():
        read.wait(timeout=10)
        member = Member.objects.get(pk=bob.pk)
        member.postal_address = "9 quai des Cordeliers, 84000 Avignon"
        member.save()
        written.set()

    rotation = in_thread(rotate, "rotation")
    writer = in_thread(move_house, "writer")
    for thread in (rotation, writer):
        thread.join(timeout=60)

    assert read.is_set() and written.is_set()
    keyring(new)
    assert Member.objects.get(pk=bob.pk).postal_address == "9 quai des Cordeliers, 84000 Avignon"


def test_no_address_written_during_a_rotation_is_lost(coop, keyring, monkeypatch):
    old, new = new_key(), new_key()
    keyring(old)
    members = [
        make_member(f"m{i}@example.org", f"Prénom{i}", f"Nom{i}", category("Partenaires"))
        for i in range(60)
    ]
    for member in members:
        member.postal_address = f"{member.pk} rue d'avant"
        member.save()
    keyring(new, old)
    monkeypatch.setattr(resealing, "BATCH", 7)  # many batches, each a short transaction
    seal = crypto.seal

    def slow_seal(plaintext, bound_to):
        if threading.current_thread().name != "writer":
            time.sleep(0.005)  # a rotation as slow as a big table's, at this table's size
        return seal(plaintext, bound_to)

    monkeypatch.setattr(crypto, "seal", slow_seal)
    writers = 5

    def work(i):
        if i == 0:
            return rotate()
        threading.current_thread().name = "writer"
        written = {}
        for member in members[i - 1 :: writers - 1]:
            fresh = Member.objects.get(pk=member.pk)
            fresh.postal_address = written[member.pk] = f"{member.pk} rue d'après"
            fresh.save()
        return written

    outcomes = all_at_once(writers, work)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    expected = {pk: value for written in outcomes[1:] for pk, value in written.items()}
    assert len(expected) == len(members)
    keyring(new)  # the old key is gone: everything must open with the new one alone
    addresses = {m.pk: m.postal_address for m in Member.objects.filter(pk__in=expected)}
    assert addresses == expected
    current = crypto.key_id(crypto.keys()[0])
    assert {raw("members_member", "postal_address", pk).split(":")[1] for pk in expected} == {
        current
    }
