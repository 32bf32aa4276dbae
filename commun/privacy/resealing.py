"""Sealing again what an encrypted column holds: under a new key, or out of the first format.

Works on the stored text with plain SQL, so that `commun rotate_data_key` and the data
migrations (with their historical models) share it; what migrations call here
(`give_seal_ids`, `reseal_in_migration`) must keep working on the models as they see them.
The first format (`enc1:`, bound to nothing) is opened only here. Before the migration
that bound values to their row, the old field took any text starting with `enc1:` for a
sealed value and stored it as typed: such a text that does not open under a configured key
is what someone typed, and is sealed as such; one whose key is absent is kept untouched
until the key comes back.
"""

import logging
import re
import uuid
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.db import connection as default_connection
from django.db import transaction

from commun.privacy import crypto
from commun.privacy.fields import SEAL_ID, EncryptedMixin

BATCH = 2000
logger = logging.getLogger(__name__)
KEY_ID = re.compile(r"^[0-9a-f]{8}$")


@dataclass
class Outcome:
    resealed: int = 0
    waiting_for_keys: set = field(default_factory=set)  # ids of keys not configured
    waiting: list = field(default_factory=list)  # "table.column, row pk: key … missing"
    refused: list = field(default_factory=list)  # "table.column, row pk: why"


def encrypted_fields(apps=global_apps):
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedMixin):
                yield model, model_field


def raw_values(model, model_field, connection=default_connection):
    """(pk, seal id, stored text) of the non-empty rows, as the column holds them."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model_field.column)
    pk, seal_id = quote(model._meta.pk.column), quote(SEAL_ID)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {seal_id}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
        )
        while rows := cursor.fetchmany(BATCH):
            yield from rows


def locked_batch(model, model_field, after, *, connection=default_connection, lock=True):
    """The next `BATCH` non-empty rows after primary key `after` (None: from the first), as
    (pk, seal id, stored text), locked (`lock`) until the caller's transaction ends."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model_field.column)
    pk, seal_id = quote(model._meta.pk.column), quote(SEAL_ID)
    since = "" if after is None else f" AND {pk} > %s"
    for_update = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {seal_id}, {column} FROM {table} WHERE {column} <> ''{since} "  # noqa: S608
            f"ORDER BY {pk} LIMIT {int(BATCH)}{for_update}",
            [] if after is None else [after],
        )
        return cursor.fetchall()


def reseal(
    model, model_field, *, connection=default_connection, migrating=False, write=True
) -> Outcome:
    """Seal again, with the first key and bound to its row, each value that needs it.

    `migrating`: no value is in the current format yet, so one that looks like it is text.
    `write=False` only counts, and locks nothing.

    A batch of rows at a time, each in its own transaction that locks its rows from the
    read to the write: a row changed in between would otherwise lose the change. Batches go
    in ascending primary key, like every other lock on these tables, and a long table is
    never locked whole. On SQLite the transaction's write lock serialises the same way.
    """
    table, column = model._meta.db_table, model_field.column
    quote = connection.ops.quote_name
    update = (
        f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    outcome, keyring, after = Outcome(), None, None
    while True:
        with transaction.atomic(using=connection.alias):
            rows = locked_batch(model, model_field, after, connection=connection, lock=write)
            if not rows:
                return outcome
            # Only now: migrating an empty database creates no key file.
            keyring = keyring or (
                crypto.key_id(crypto.keys()[0]),
                set(map(crypto.key_id, crypto.keys())),
            )
            updates = []
            for pk, seal_id, stored in rows:
                place = crypto.place(table, column, seal_id)
                try:
                    clear = _clear_text(stored, place, keyring, migrating)
                except _KeyMissing as missing:
                    outcome.waiting_for_keys.add(missing.key)
                    outcome.waiting.append(f"{table}.{column}, row {pk}: key {missing.key} missing")
                except crypto.UndecryptableValue as error:
                    outcome.refused.append(f"{table}.{column}, row {pk}: {error}")
                else:
                    if clear is not None:
                        updates.append((crypto.seal(clear, place), pk))
            if write and updates:
                with connection.cursor() as cursor:
                    cursor.executemany(update, updates)
            outcome.resealed += len(updates)
        after = rows[-1][0]


class _KeyMissing(Exception):
    """A first-format value whose key is not configured: kept for when it comes back."""

    def __init__(self, key: str):
        self.key = key


def _clear_text(stored: str, place: bytes, keyring, migrating: bool) -> str | None:
    """The clear text to seal again, or None if the value is already under the current key;
    `_KeyMissing` or `UndecryptableValue` when it cannot be opened."""
    current, known = keyring
    key = crypto.stored_key_id(stored)
    if stored.startswith(crypto.PREFIX) and not migrating:
        return None if key == current else crypto.unseal(stored, place)
    if stored.startswith(crypto.LEGACY_PREFIX) and KEY_ID.match(key or ""):
        if key not in known:
            raise _KeyMissing(key)
        return _legacy_or_typed(stored, migrating)
    if migrating:
        return stored  # stored before encryption, or typed like a sealed value
    raise crypto.UndecryptableValue("not a sealed value")


def _legacy_or_typed(stored: str, migrating: bool) -> str:
    try:
        return crypto.unseal_legacy(stored)
    except crypto.UndecryptableValue:
        if migrating:
            return stored  # nobody can forge the tag: this is text someone typed
        raise


def give_seal_ids(model) -> None:
    """Give each existing row of `model` its own seal id, for the migration that adds the
    column (new rows take theirs from the field's default)."""
    rows = [model(pk=pk, seal_id=uuid.uuid4()) for pk in model.objects.values_list("pk", flat=True)]
    model.objects.bulk_update(rows, [SEAL_ID], batch_size=1000)


def reseal_in_migration(model, columns, schema_editor) -> None:
    """`reseal` for a data migration: what it cannot seal again is left as it is and named
    in a warning, never a reason to stop the upgrade."""
    for column in columns:
        model_field = model._meta.get_field(column)
        outcome = reseal(model, model_field, connection=schema_editor.connection, migrating=True)
        left = outcome.refused + outcome.waiting
        if left:
            logger.warning(
                "Values left as they are (%d); put their key in COMMUN_DATA_KEYS, then run "
                "`commun rotate_data_key`:\n%s",
                len(left),
                "\n".join(left),
            )
