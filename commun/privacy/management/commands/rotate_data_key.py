"""`commun rotate_data_key`: re-seal every encrypted value under the first configured key."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commun.privacy import crypto
from commun.privacy.resealing import encrypted_fields, reseal


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
        total, waiting, refused = 0, set(), []
        for model, field in encrypted_fields():
            with transaction.atomic():
                outcome = reseal(model, field, write=not check)
            total += outcome.resealed
            waiting |= outcome.waiting_for_keys
            refused += outcome.refused
            if outcome.resealed:
                self.stdout.write(f"{model._meta.label}.{field.name} : {outcome.resealed}")
        done = "à rechiffrer" if check else "rechiffrée(s)"
        current = crypto.key_id(crypto.keys()[0])
        self.stdout.write(f"{total} valeur(s) {done} ; clé courante {current}.")
        if waiting:
            self.stdout.write(
                "Laissées telles quelles, faute de leur clé dans COMMUN_DATA_KEYS : "
                f"clé(s) {', '.join(sorted(waiting))}. Remettez-la et relancez."
            )
        if refused:
            # Altered or moved in the database: an integrity failure, never re-sealed as valid.
            raise CommandError(
                "Valeur(s) illisibles, laissées telles quelles :\n" + "\n".join(refused)
            )
