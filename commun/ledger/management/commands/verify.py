"""`commun verify FILE`: check an exported journal offline, name the first broken entry."""

from django.core.management.base import BaseCommand, CommandError

from commun.ledger.journal import ChainBroken, verify_lines


class Command(BaseCommand):
    help = (
        "Vérifie un journal exporté (commun export journal) : chaque hash, la suite des "
        "numéros et les liens entre entrées."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="le journal exporté (JSON Lines)")
        parser.add_argument(
            "--head",
            help="hash publié de la dernière entrée : détecte aussi un journal tronqué",
        )

    def handle(self, *args, file, head=None, **options):
        try:
            with open(file, encoding="utf-8") as lines:
                count, head_hash = verify_lines(lines)
        except OSError as error:
            raise CommandError(f"Lecture impossible de {file} : {error}") from error
        except ChainBroken as broken:
            raise CommandError(f"Journal invalide, {broken}", returncode=1) from broken
        if head and head != head_hash:
            raise CommandError(
                f"Journal invalide : la dernière entrée (n°{count}) n'a pas le hash publié "
                "— le journal a été tronqué ou altéré.",
                returncode=1,
            )
        self.stdout.write(f"Journal intègre : {count} entrées, dernier hash {head_hash}.")
