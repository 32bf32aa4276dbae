"""Rows that are never changed nor removed: a correction is a new row.

The register of associates and the books refuse UPDATE and DELETE twice: here, in the
ORM, with a readable error; and in the database itself, by a trigger on each table (on
PostgreSQL every one calls `commun_refuse_change()`, see members' migration 0011), against
raw SQL, a shell session or a careless script. The secret ballot box is guarded the same way.
"""

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """No bulk update nor delete; the refusal is the model's `append_only_refusal`."""

    def update(self, **kwargs):
        raise PermissionError(self.model.append_only_refusal)

    def delete(self):
        raise PermissionError(self.model.append_only_refusal)

    _raw_delete = delete


class AppendOnlyModel(models.Model):
    """A row is saved once; `append_only_refusal` says what to do instead of changing it."""

    append_only_refusal = "This table is append-only: record a correction instead."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(self.append_only_refusal)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(self.append_only_refusal)
