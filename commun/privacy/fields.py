"""Model fields whose values are encrypted at rest (see commun/privacy/crypto.py)."""

from django.db import models

from commun.privacy import crypto


class EncryptedMixin:
    """Sealed on the way to the database, opened on the way back; empty stays empty.

    A value stored before the field was encrypted reads as it is, and is sealed the next
    time its row is saved (or by `commun rotate_data_key`). Lookups cannot match sealed
    values: these fields are shown and edited, never searched.
    """

    def from_db_value(self, value, expression, connection):
        if crypto.is_sealed(value):
            return crypto.unseal(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or crypto.is_sealed(value):
            return value
        return crypto.seal(value)


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """Its `max_length` bounds the clear text; the column is a text column for the sealed form."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection):
        return models.TextField().cast_db_type(connection)
