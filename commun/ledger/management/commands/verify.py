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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from commun.ledger.journal import GENESIS_HASH, ChainBroken, verified_entries
from commun.ledger.signing import DigestInvalid, check_signature

# The number is the "count" of the values they are formatted with.
ENTRIES = ngettext_lazy("%(count)s entrée", "%(count)s entrées", "count")
TRANSACTIONS = ngettext_lazy("%(count)s écriture", "%(count)s écritures", "count")
ADDED_SINCE = ngettext_lazy("%(count)s ajoutée depuis", "%(count)s ajoutées depuis", "count")
MOVEMENTS = ngettext_lazy(
    "%(count)s mouvement du registre", "%(count)s mouvements du registre", "count"
)
DECISIONS = ngettext_lazy("%(count)s décision", "%(count)s décisions", "count")
ASSEMBLY_RECORDS = ngettext_lazy(
    "%(count)s résolution ou procès-verbal d'assemblée",
    "%(count)s résolutions et procès-verbaux d'assemblée",
    "count",
)


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
                raise CommandError(_("Indiquez le journal exporté à vérifier, ou --books."))
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
            raise CommandError(
                _("Lecture impossible de %(file)s : %(error)s") % {"file": file, "error": error}
            ) from error
        except ChainBroken as broken:
            raise CommandError(
                _("Journal invalide, %(broken)s") % {"broken": broken}, returncode=1
            ) from broken
        if head and head != head_hash:
            raise CommandError(
                _(
                    "Journal invalide : la dernière entrée (n°%(number)s) n'a pas le hash "
                    "publié — le journal a été tronqué ou altéré."
                )
                % {"number": count},
                returncode=1,
            )
        if signed is not None:
            if count < signed_length:
                raise CommandError(
                    _(
                        "Journal invalide : l'empreinte signée compte %(entries)s, "
                        "le journal seulement %(count)s — il a été tronqué."
                    )
                    % {"entries": ENTRIES % {"count": signed_length}, "count": count},
                    returncode=1,
                )
            if hash_at_signed_length != signed["head_hash"]:
                raise CommandError(
                    _(
                        "Journal invalide : l'entrée n°%(number)s n'a pas le hash signé "
                        "le %(signed_at)s — le journal a été réécrit depuis."
                    )
                    % {"number": signed_length, "signed_at": signed["signed_at"]},
                    returncode=1,
                )
        self.stdout.write(
            _("Journal intègre : %(entries)s, dernier hash %(hash)s.")
            % {"entries": ENTRIES % {"count": count}, "hash": head_hash}
        )
        if signed is not None:
            self.stdout.write(conforms_to_digest(signed, count))
            if not public_key:
                self.stdout.write(
                    _(
                        "Attention : sans --public-key, la signature est vérifiée avec la clé "
                        "que l'empreinte contient ; comparez-la à la clé publiée par l'instance."
                    )
                )

    def _books(self) -> None:
        from commun.ledger.audit import BooksAltered, check_books

        try:
            counts = check_books()
        except BooksAltered as altered:
            raise CommandError(
                _("Comptes altérés : %(altered)s") % {"altered": altered}, returncode=1
            ) from altered
        self.stdout.write(
            _("Comptes conformes au journal : %(counts)s.") % {"counts": books_counted(counts)}
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
            raise CommandError(_("Lecture impossible : %(error)s") % {"error": error}) from error
        except ValueError as error:
            raise CommandError(
                _("Empreinte illisible (%(path)s) : %(error)s") % {"path": path, "error": error},
                returncode=1,
            ) from error
        try:
            check_signature(digest, key)
        except DigestInvalid as invalid:
            raise CommandError(
                _("Empreinte invalide : %(invalid)s") % {"invalid": invalid}, returncode=1
            ) from invalid
        return digest


def conforms_to_digest(signed: dict, count: int) -> str:
    """The sentence for a journal that begins with what the digest signed, grown or not."""
    entries = ENTRIES % {"count": signed["journal_length"]}
    grown = count - signed["journal_length"]
    if grown:
        entries = _("%(entries)s, %(grown)s") % {
            "entries": entries,
            "grown": ADDED_SINCE % {"count": grown},
        }
    return _("Conforme à l'empreinte signée le %(signed_at)s par %(instance)s (%(entries)s).") % {
        "signed_at": signed["signed_at"],
        "instance": signed["instance"],
        "entries": entries,
    }


def books_counted(counts: dict) -> str:
    """What `--books` compared, each count with its noun in the right number."""
    return ", ".join(
        noun % {"count": counts[key]}
        for key, noun in (
            ("transactions", TRANSACTIONS),
            ("movements", MOVEMENTS),
            ("decisions", DECISIONS),
            ("assemblies", ASSEMBLY_RECORDS),
        )
    )
