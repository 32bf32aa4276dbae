"""`commun rotate_data_key`: re-seal every encrypted value under the first configured key."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
            # Not in one transaction: `reseal` commits batch by batch, each locking its rows.
            outcome = reseal(model, field, write=not check)
            total += outcome.resealed
            waiting |= outcome.waiting_for_keys
            refused += outcome.refused
            if outcome.resealed:
                self.stdout.write(
                    _("%(field)s : %(count)s")
                    % {"field": f"{model._meta.label}.{field.name}", "count": outcome.resealed}
                )
        counts = {"count": total, "key": crypto.key_id(crypto.keys()[0])}
        if check:
            self.stdout.write(
                ngettext(
                    "%(count)s valeur à rechiffrer ; clé courante %(key)s.",
                    "%(count)s valeurs à rechiffrer ; clé courante %(key)s.",
                    total,
                )
                % counts
            )
        else:
            self.stdout.write(
                ngettext(
                    "%(count)s valeur rechiffrée ; clé courante %(key)s.",
                    "%(count)s valeurs rechiffrées ; clé courante %(key)s.",
                    total,
                )
                % counts
            )
        if waiting:
            self.stdout.write(
                _(
                    "Laissées telles quelles, faute de leur clé dans COMMUN_DATA_KEYS : "
                    "%(keys)s. Remettez-la et relancez."
                )
                % {"keys": ", ".join(sorted(waiting))}
            )
        if refused:
            # Altered or moved in the database: an integrity failure, never re-sealed as valid.
            raise CommandError(
                _("Valeurs illisibles, laissées telles quelles :") + "\n" + "\n".join(refused)
            )
