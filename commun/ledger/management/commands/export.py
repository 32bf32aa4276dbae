"""`commun export <what> [--output FILE]`: the books and the journal, streamed.

Each export is one subcommand with a writer below; `beancount` and `fec` will join
`journal` here.
"""

import contextlib
import os
import sys

from django.core.management.base import BaseCommand

from commun.ledger.journal import EXPORT_CHUNK_SIZE, export_lines
from commun.ledger.models import JournalEntry


def write_journal(out, options):
    entries = JournalEntry.objects.order_by("sequence").iterator(chunk_size=EXPORT_CHUNK_SIZE)
    for line in export_lines(entries):
        out.write(line + "\n")


EXPORTS = {
    "journal": (write_journal, "le journal chaîné, une entrée JSON par ligne"),
}


class Command(BaseCommand):
    help = "Exporte les comptes ou le journal, sur la sortie standard ou dans un fichier."

    def add_arguments(self, parser):
        what = parser.add_subparsers(dest="what", required=True, metavar="EXPORT")
        for name, (_writer, description) in EXPORTS.items():
            sub = what.add_parser(name, help=description)
            sub.add_argument("--output", "-o", help="fichier à écrire (sinon la sortie standard)")

    def handle(self, *args, what, output=None, **options):
        writer, _description = EXPORTS[what]
        with contextlib.ExitStack() as stack:
            if output:
                out = stack.enter_context(open(output, "w", encoding="utf-8", newline="\n"))
            else:
                # Unwrapped: Django's OutputWrapper would style each line.
                out = getattr(self.stdout, "_out", sys.stdout)
            try:
                writer(out, options)
            except BrokenPipeError:
                # `commun export journal | head` stops reading: not an error, just the end.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
