"""`commun export <what> [--output FILE]`: the books and the journal, streamed.

Each export is one subcommand whose lines come from a generator of `commun.ledger.exports`:
written as they come, to standard output unless `--output FILE`, in constant memory.
"""

import contextlib
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commun.ledger import exports


def journal(options):
    return exports.journal_lines()


def beancount(options):
    from commun.members.models import Cooperative

    return exports.beancount_lines(options.get("year"), title=Cooperative.get().name)


def fec(options):
    return exports.fec_lines(options["year"])


EXPORTS = {
    "journal": (journal, "le journal chaîné, une entrée JSON par ligne"),
    "beancount": (beancount, "le grand livre au format Beancount (bean-check l'accepte)"),
    "fec": (fec, "le Fichier des Écritures Comptables d'une année (article A47 A-1 du LPF)"),
}


class Command(BaseCommand):
    help = "Exporte les comptes ou le journal, sur la sortie standard ou dans un fichier."

    def add_arguments(self, parser):
        what = parser.add_subparsers(dest="what", required=True, metavar="EXPORT")
        for name, (_lines, description) in EXPORTS.items():
            sub = what.add_parser(name, help=description)
            sub.add_argument("--output", "-o", help="fichier à écrire (sinon la sortie standard)")
            if name == "beancount":
                sub.add_argument("--year", type=int, help="une année civile seulement")
            if name == "fec":
                sub.add_argument("--year", type=int, required=True, help="l'année civile")

    def handle(self, *args, what, output=None, **options):
        lines, _description = EXPORTS[what]
        if options.get("year") is not None and options["year"] not in exports.YEARS:
            raise CommandError(_("Année invalide : %(year)s.") % {"year": options["year"]})
        with contextlib.ExitStack() as stack:
            if output:
                out = stack.enter_context(open(output, "w", encoding="utf-8", newline="\n"))
            else:
                # Unwrapped: Django's OutputWrapper would style each line.
                out = getattr(self.stdout, "_out", sys.stdout)
            try:
                for line in lines(options):
                    out.write(line)
                out.flush()
            except BrokenPipeError:
                # `commun export journal | head` stops reading: not an error, just the end.
                # Python would fail again flushing stdout at exit: point it at /dev/null.
                if out is sys.stdout:
                    with contextlib.suppress(OSError, ValueError):
                        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
