"""`commun verify FILE`: check an exported journal offline, name the first broken entry.

With `--books`, in the instance's own database: the journal against the postings, register
movements and decisions it describes (commun/ledger/audit.py), so a row changed in the
tables themselves is found too. FILE may then be left out.

With `--digest DIGEST.json` (saved from /comptes/journal/empreinte.json), also check that
the journal still begins with the entries the instance signed: its entry number
`journal_length` must have the signed `head_hash`. A journal that has grown since still
verifies; one that was rewritten, shortened or reordered before that point does not.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from commun.ledger.journal import GENESIS_HASH, ChainBroken, verified_entries
from commun.ledger.signing import DigestInvalid, check_signature


class Command(BaseCommand):
    help = (
        "Vérifie un journal exporté (commun export journal) : chaque hash, la suite des "
        "numéros et les liens entre entrées ; et, avec --digest, l'empreinte signée."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="le journal exporté (JSON Lines)")
        parser.add_argument(
            "--books",
            action="store_true",
            help="vérifier aussi, dans la base, que les écritures, le registre et les "
            "décisions disent encore ce que le journal a enchaîné",
        )
        parser.add_argument(
            "--head",
            help="hash publié de la dernière entrée : détecte aussi un journal tronqué",
        )
        parser.add_argument(
            "--digest",
            help="empreinte signée (empreinte.json) : le journal commence par ce qu'elle signe",
        )
        parser.add_argument(
            "--public-key",
            help="clé publique de l'instance (cle-publique.pem) qui doit avoir signé l'empreinte",
        )

    def handle(
        self, *args, file=None, books=False, head=None, digest=None, public_key=None, **options
    ):
        if books:
            self._books()
        if file is None:
            if not books:
                raise CommandError("Indiquez le journal exporté à vérifier, ou --books.")
            return
        signed = self._digest(digest, public_key) if digest else None
        signed_length = signed["journal_length"] if signed else None
        hash_at_signed_length = GENESIS_HASH if signed_length == 0 else None
        count, head_hash = 0, GENESIS_HASH
        try:
            with open(file, encoding="utf-8") as lines:
                for count, head_hash in verified_entries(lines):  # noqa: B007
                    if count == signed_length:
                        hash_at_signed_length = head_hash
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
        if signed is not None:
            if count < signed_length:
                raise CommandError(
                    f"Journal invalide : l'empreinte signée compte {signed_length} entrées, "
                    f"le journal seulement {count} — il a été tronqué.",
                    returncode=1,
                )
            if hash_at_signed_length != signed["head_hash"]:
                raise CommandError(
                    f"Journal invalide : l'entrée n°{signed_length} n'a pas le hash signé "
                    f"le {signed['signed_at']} — le journal a été réécrit depuis.",
                    returncode=1,
                )
        self.stdout.write(f"Journal intègre : {count} entrées, dernier hash {head_hash}.")
        if signed is not None:
            grown = count - signed_length
            self.stdout.write(
                f"Conforme à l'empreinte signée le {signed['signed_at']} par "
                f"{signed['instance']} ({signed_length} entrées"
                + (f", {grown} ajoutées depuis" if grown else "")
                + ")."
            )
            if not public_key:
                self.stdout.write(
                    "Attention : sans --public-key, la signature est vérifiée avec la clé "
                    "que l'empreinte contient ; comparez-la à la clé publiée par l'instance."
                )

    def _books(self) -> None:
        from commun.ledger.audit import BooksAltered, check_books

        try:
            counts = check_books()
        except BooksAltered as altered:
            raise CommandError(f"Comptes altérés : {altered}", returncode=1) from altered
        self.stdout.write(
            f"Comptes conformes au journal : {counts['transactions']} écritures, "
            f"{counts['movements']} mouvements du registre, {counts['decisions']} décisions, "
            f"{counts['assemblies']} résolutions et procès-verbaux d'assemblée."
        )

    def _digest(self, path, public_key_path) -> dict:
        try:
            with open(path, encoding="utf-8") as handle:
                digest = json.load(handle)
            key = None
            if public_key_path:
                with open(public_key_path, "rb") as handle:
                    key = handle.read()
        except OSError as error:
            raise CommandError(f"Lecture impossible : {error}") from error
        except ValueError as error:
            raise CommandError(f"Empreinte illisible ({path}) : {error}", returncode=1) from error
        try:
            check_signature(digest, key)
        except DigestInvalid as invalid:
            raise CommandError(f"Empreinte invalide : {invalid}", returncode=1) from invalid
        return digest
