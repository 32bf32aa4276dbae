"""`commun backup FILE`: the whole cooperative in one archive, read as one snapshot."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commun.core.backup import ArchiveError, archive_contents, write_archive


class Command(BaseCommand):
    help = (
        "Écrit toute la coopérative dans une archive (base de données sous une forme lisible "
        "par SQLite comme PostgreSQL, fichiers déposés, manifeste avec sommes de contrôle). "
        "Voir docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="l'archive à écrire (un fichier .zip)")

    def handle(self, *args, file, **options):
        try:
            manifest = write_archive(file)
        except ArchiveError as error:
            raise CommandError(str(error), returncode=1) from error
        except OSError as error:
            raise CommandError(
                _("Écriture impossible de %(file)s : %(error)s") % {"file": file, "error": error}
            ) from error
        self.stdout.write(
            _("Sauvegarde écrite dans %(file)s : %(contents)s.")
            % {"file": file, "contents": archive_contents(manifest)}
        )
