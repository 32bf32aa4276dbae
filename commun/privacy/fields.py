"""Model fields whose values are encrypted at rest (see commun/privacy/crypto.py).

Whatever is assigned to such a field is clear text, and is sealed on save, whatever it
looks like: the field never guesses from a value's shape whether it is sealed already.
What comes from the database is a `Sealed` value, opened when the attribute is first
read, with the place (table, column, the row's `seal_id`) it must have been sealed for.
"""

import uuid

from django.core import checks
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from commun.privacy import crypto

SEAL_ID = "seal_id"


def seal_id_field():
    """The per-row identifier sealed values are bound to: it exists before the INSERT."""
    return models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


class Sealed:
    """A value as the database holds it: only the field that read it may open it."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Sealed) and other.text == self.text

    def __hash__(self):
        return hash(self.text)

    def __repr__(self):
        return "Sealed(…)"


class SealedAttribute(DeferredAttribute):
    """Opens the stored value on first read, so a row nobody reads is never decrypted."""

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    # A data descriptor, so that reads come here even once the value is in the instance.
    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedMixin:
    """Sealed on the way to the database, opened on first read; empty stays empty.

    Lookups cannot match sealed values: these fields are shown and edited, never searched,
    and written through `save()` (which knows the row), not `QuerySet.update()`.
    """

    descriptor_class = SealedAttribute

    def place(self, seal_id) -> bytes:
        return crypto.place(self.model._meta.db_table, self.column, seal_id)

    def open(self, instance, value: Sealed) -> str:
        seal_id = getattr(instance, SEAL_ID)
        try:
            return crypto.unseal(value.text, self.place(seal_id))
        except crypto.UndecryptableValue as error:
            why = str(error)
            if value.text.startswith(crypto.LEGACY_PREFIX):
                why = "first format, resealed by `commun rotate_data_key`"
            raise crypto.UndecryptableValue(
                f"{self.model._meta.db_table}.{self.column}, row {instance.pk} "
                f"(seal id {seal_id}): {why}"
            ) from None

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else Sealed(value)

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value in (None, ""):
            return value
        place = self.place(getattr(model_instance, SEAL_ID))
        if isinstance(value, Sealed):
            # Never read since it was loaded from this very row, so still its own.
            return self._under_current_key(value, place)
        return Sealed(crypto.seal(str(value), place))

    @staticmethod
    def _under_current_key(value: Sealed, place: bytes) -> Sealed:
        """A value an older key sealed, sealed again with the current one: a row loaded
        before `commun rotate_data_key` and saved after must not undo the rotation. One
        that does not open is written back as it was, for the rotation to report."""
        if crypto.stored_key_id(value.text) == crypto.key_id(crypto.keys()[0]):
            return value
        try:
            return Sealed(crypto.seal(crypto.unseal(value.text, place), place))
        except crypto.UndecryptableValue:
            return value

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.text
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        raise TypeError(
            f"{self.model._meta.label}.{self.name}: a sealed field is written by save(), "
            "which knows the row it binds the value to, and is never looked up."
        )

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.model._meta.abstract and SEAL_ID not in {
            field.name for field in self.model._meta.concrete_fields
        }:
            errors.append(
                checks.Error(
                    f"{self.model._meta.label} has an encrypted field but no `{SEAL_ID}`.",
                    hint="Add seal_id = seal_id_field() (commun/privacy/fields.py).",
                    obj=self,
                    id="commun.privacy.E001",
                )
            )
        return errors


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """Its `max_length` bounds the clear text; the column is a text column for the sealed form."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection):
        return models.TextField().cast_db_type(connection)
