"""No « part(s) »: a count is written in the singular or the plural it calls for.

French and English both have real plural forms; `ngettext` and `{% blocktranslate count %}`
pick one. A parenthesised plural (« part(s) », « reste(nt) », "share(s)") reads like a form
to fill in, so it is refused in the catalogue and in every message written in code.
"""

import re
from pathlib import Path

from commun.testing.locale import ENGLISH_PO, entries

COMMUN = Path(__file__).resolve().parents[2]
PARENTHESISED_PLURAL = re.compile(r"[^\W\d_]\((?:e?s|nt)\)")
# The test helpers speak to developers, and a migration's text is frozen with it.
NOT_SHOWN = ("tests", "migrations", "testing")


def test_the_catalogue_writes_no_parenthesised_plural():
    found = [
        text
        for entry in entries(ENGLISH_PO)
        for text in [
            entry.get("msgid", ""),
            entry.get("msgid_plural", ""),
            *entry["msgstr"].values(),
        ]
        if PARENTHESISED_PLURAL.search(text)
    ]
    assert found == []


def test_no_message_in_code_or_templates_writes_a_parenthesised_plural():
    found = []
    for path in sorted(COMMUN.rglob("*")):
        if path.suffix not in {".py", ".html", ".txt"} or set(path.parts) & set(NOT_SHOWN):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PARENTHESISED_PLURAL.search(line):
                found.append(f"{path.relative_to(COMMUN)}:{number}: {line.strip()}")
    assert found == []
