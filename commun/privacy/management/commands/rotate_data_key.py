"""`commun rotate_data_key`: re-seal every encrypted value under the first configured key."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from commun.privacy import crypto
from commun.privacy.fields import EncryptedMixin

BATCH = 2000


def encrypted_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedMixin):
                yield model, field


def raw_values(model, field):
    """(pk, stored value) of the non-empty rows, as the column holds them (sealed or not)."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(field.column)
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        while rows := cursor.fetchmany(BATCH):
            yield from rows


def stale_values(model, field):
    """(pk, clear value) of the rows not sealed with the current key."""
    for row_pk, raw in raw_values(model, field):
        if raw is None or crypto.sealed_with_current_key(raw):
            continue
        yield row_pk, crypto.unseal(raw) if crypto.is_sealed(raw) else raw


class Command(BaseCommand):
    help = (
        "Rechiffre les adresses et IBAN avec la première clé de COMMUN_DATA_KEYS "
        "(les anciennes clés restent listées après elle pendant l'opération)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="compte seulement les valeurs à rechiffrer, sans rien écrire",
        )

    def handle(self, *args, check=False, **options):
        total = 0
        for model, field in encrypted_fields():
            with transaction.atomic():
                stale = list(stale_values(model, field))
                if not check:
                    for pk, clear in stale:
                        # The field seals the clear value with the current key on the way in.
                        model._base_manager.filter(pk=pk).update(**{field.attname: clear})
            total += len(stale)
            if stale:
                self.stdout.write(f"{model._meta.label}.{field.name} : {len(stale)}")
        done = "à rechiffrer" if check else "rechiffrée(s)"
        current = crypto.key_id(crypto.keys()[0])
        self.stdout.write(f"{total} valeur(s) {done} ; clé courante {current}.")
