"""What the CSV imports share (bank statements, the board's tasks): a file checked whole,
every refusal named by its line, and headers matched whatever their case and accents."""

import dataclasses
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def plain(text: str) -> str:
    """Lower case without accents: 'Libellé' and 'libelle' are the same header."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclasses.dataclass
class LineError:
    line: int
    message: str


class ImportRefused(ValidationError):
    """The file has errors: `line_errors` lists them all, each with its line."""

    def __init__(self, errors: list[LineError]):
        self.line_errors = errors
        super().__init__(
            [
                _("Ligne %(line)s : %(message)s") % {"line": e.line, "message": e.message}
                for e in errors
            ]
        )
