"""The labels the software writes in the books, kept in French and read in any language.

The books are kept in the cooperative's language: a system-made label is stored (and its
digest chained in the journal) as the French sentence below, whatever language the person
who triggered it reads. Each sentence is a fixed pattern, so the stored text says which
kind of label it is and with what parameters; `readable()` finds them back and renders the
same label in the reader's language. A label typed by a person matches no pattern and is
shown as typed. Transactions are append-only, so the patterns are the kinds: no column
to backfill.
"""

import re
from functools import cache

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

LABELS = {
    "share_payment": gettext_noop(
        "Libération de parts — associé·e n°%(member)s (registre n°%(number)s)"
    ),
    "share_repayment": gettext_noop(
        "Remboursement de parts — associé·e n°%(member)s (registre n°%(number)s)"
    ),
    "register_correction": gettext_noop(
        "Correction du registre n°%(corrects)s (registre n°%(number)s)"
    ),
    "year_closing": gettext_noop("Clôture de l'exercice %(year)s : soldes des charges et produits"),
    "year_allocation_decided": gettext_noop("Affectation du résultat %(year)s — %(decision)s"),
    "year_allocation": gettext_noop("Affectation du résultat %(year)s"),
    "year_loss": gettext_noop("Report à nouveau de la perte %(year)s"),
    "year_loss_on_reserves": gettext_noop(
        "Perte %(year)s imputée sur les réserves consommées par les missions, le reste "
        "reporté à nouveau"
    ),
    "mission_commitment": gettext_noop(
        "Engagement de la réserve — mission %(ref)s, version %(number)s"
    ),
    "reserve_commitment": gettext_noop("Engagement de la réserve — %(name)s"),
    "mission_top_up": gettext_noop("Complément engagé — mission %(ref)s"),
    "mission_release": gettext_noop("Libération du reliquat — mission %(ref)s"),
    "commitment_release": gettext_noop("Libération du reliquat engagé — %(ref)s"),
    "gift_from_split": gettext_noop("Don au projet amont %(project)s (répartition n°%(split)s)"),
    "direct_gift": gettext_noop("Don au projet amont %(project)s (don direct : %(reference)s)"),
    "gift_cancellation": gettext_noop(
        "Annulation du don au projet amont %(project)s (écriture n°%(number)s)"
    ),
    # Last: any other label ending in "— mission <ref>" must match its own kind first.
    "mission_payment": gettext_noop("%(kind)s — mission %(ref)s"),
}
# Parameters that are themselves French words of ours (a payment's kind), read translated.
TRANSLATED_PARAMS = {"kind"}
_PARAM = re.compile(r"%\((\w+)\)s")


def system_label(kind: str, /, **params) -> str:
    """The label to book: the French sentence of `kind` with its parameters (300 at most)."""
    with translation.override("fr"):
        params = {name: str(value) for name, value in params.items()}
    return (LABELS[kind] % params)[:300]


@cache
def _pattern(kind: str) -> re.Pattern:
    parts = _PARAM.split(LABELS[kind])
    # split() alternates literal text and parameter names: text, name, text, name, text…
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(regex)


def parse(label: str) -> tuple[str, dict] | None:
    """The kind and parameters of a system-made label, or None for a label a person typed."""
    for kind in LABELS:  # in order: the first kind that matches the whole label
        found = _pattern(kind).fullmatch(label)
        if found:
            return kind, found.groupdict()
    return None


def readable(label: str) -> str:
    """`label` in the active language: a system-made label translated, any other as stored."""
    parsed = parse(label)
    if parsed is None:
        return label
    kind, params = parsed
    params = {
        name: gettext(value) if name in TRANSLATED_PARAMS else value
        for name, value in params.items()
    }
    return gettext(LABELS[kind]) % params
