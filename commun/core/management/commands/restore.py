"""`commun restore FILE`: bring an archive of `commun backup` back into an empty database.

Everything is checked before anything is written: the archive (checksums of every part),
its format and schema version, and that the target database is empty. Then the rows are
loaded in one transaction: all or nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commun.core.backup import ArchiveError, archive_contents, restore_archive, verify_archive


class Command(BaseCommand):
    help = (
        "Restaure une archive de `commun backup` dans une base vide (SQLite ou PostgreSQL) ; "
        "refuse une archive endommagée ou incompatible, ou une base qui n'est pas vide. "
        "Avec --check, vérifie seulement l'archive. Voir docs/backup.md."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="l'archive écrite par commun backup")
        parser.add_argument(
            "--check",
            action="store_true",
            help="vérifier l'archive (sommes de contrôle, format) sans rien restaurer",
        )

    def handle(self, *args, file, check=False, **options):
        try:
            if check:
                manifest = verify_archive(file)
                self.stdout.write(
                    _(
                        "Archive intègre : faite le %(created_at)s par Commun %(version)s "
                        "(%(engine)s), %(contents)s."
                    )
                    % {
                        "created_at": manifest["created_at"],
                        "version": manifest["commun_version"],
                        "engine": manifest["engine"],
                        "contents": archive_contents(manifest),
                    }
                )
                return
            verbosity = options["verbosity"]

            def log(message, detail=False):
                if verbosity > (1 if detail else 0):
                    self.stdout.write(message)

            manifest = restore_archive(file, log=log)
        except ArchiveError as error:
            raise CommandError(str(error), returncode=1) from error
        except OSError as error:
            raise CommandError(
                _("Restauration interrompue, rien n'a été chargé : %(error)s") % {"error": error}
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Restauration terminée : %(contents)s, sauvegardés le %(created_at)s.")
                % {"contents": archive_contents(manifest), "created_at": manifest["created_at"]}
            )
        )
        unreadable = sealed_values_unreadable()
        if unreadable:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "Attention : les adresses et IBAN restaurés sont chiffrés avec la clé "
                        "%(key)s, qui n'est pas dans COMMUN_DATA_KEYS (ni dans le fichier "
                        "data-key) : ils restent illisibles tant que cette clé n'est pas remise "
                        "(voir docs/self-hosting.md, « Données personnelles »)."
                    )
                    % {"key": unreadable}
                )
            )


def sealed_values_unreadable() -> str | None:
    """The id of a key the restored sealed values need and this instance lacks, if any."""
    from commun.privacy import crypto
    from commun.privacy.resealing import encrypted_fields, raw_values

    known = {crypto.key_id(key) for key in crypto.keys()}  # noqa: SIM118 (a function)
    for model, field in encrypted_fields():
        for _pk, _seal_id, raw in raw_values(model, field):
            wanted = crypto.stored_key_id(raw)
            if wanted is not None and wanted not in known:
                return wanted
    return None
