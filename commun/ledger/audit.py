"""`commun verify --books`: the journal against the rows it describes, in the live database.

An exported journal proves the chain is intact; it cannot see a posting, a register
movement or a decision's tally changed in the tables themselves. Here every journal entry
is recomputed from its rows and compared, every transaction must be journaled and
balanced, and the first difference is named.
"""

import datetime
import json
from collections.abc import Iterator

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commun.ledger.journal import (
    EXPORT_CHUNK_SIZE,
    ChainBroken,
    canonical_json,
    decision_outcome_payload,
    export_lines,
    verified_entries,
)
from commun.ledger.models import (
    Account,
    Books,
    JournalEntry,
    MonthlyTotal,
    Posting,
    Transaction,
    movement_payload,
)
from commun.lib.paging import in_key_order


class BooksAltered(Exception):
    """The first place where the tables no longer say what the journal chained."""


def check_books() -> dict:
    """Counts of what was checked, or BooksAltered naming the first difference."""
    entries = JournalEntry.objects.order_by("sequence")
    try:
        for _entry in verified_entries(export_lines(in_key_order(entries, "sequence", 2000))):
            pass
    except ChainBroken as broken:
        raise BooksAltered(_("journal en base invalide, %(broken)s") % {"broken": broken}) from None
    counts = {"entries": 0, "transactions": 0, "movements": 0, "decisions": 0, "assemblies": 0}
    for chunk in _chunks(entries):
        _check_transactions([e for e in chunk if e.kind == JournalEntry.Kind.TRANSACTION], counts)
        _check_movements([e for e in chunk if e.kind == JournalEntry.Kind.SHARE_MOVEMENT], counts)
        _check_decisions([e for e in chunk if e.kind == JournalEntry.Kind.DECISION_OUTCOME], counts)
        _check_assemblies([e for e in chunk if e.kind in ASSEMBLY_KINDS], counts)
        counts["entries"] += len(chunk)
    _check_every_transaction_is_journaled_and_balanced(counts["transactions"])
    _check_monthly_totals()
    return counts


def _chunks(entries) -> Iterator[list]:
    last = 0
    while chunk := list(entries.filter(sequence__gt=last)[:EXPORT_CHUNK_SIZE]):
        yield chunk
        last = chunk[-1].sequence


def _number(ref: str) -> int:
    return int(ref.rsplit("-", 1)[1])


def _differs(entry, payload) -> bool:
    return canonical_json(json.loads(entry.payload_json)) != canonical_json(payload)


def _check_transactions(entries, counts) -> None:
    numbers = [_number(e.ref) for e in entries]
    postings = Prefetch(
        "postings", Posting.objects.select_related("account").order_by("pk"), to_attr="lines"
    )
    found = {
        t.number: t
        for t in Transaction.objects.filter(number__in=numbers)
        .select_related("reverses")
        .prefetch_related(postings)
    }
    for entry, number in zip(entries, numbers, strict=True):
        booked = found.get(number)
        if booked is None:
            raise BooksAltered(
                _(
                    "l'écriture n°%(number)s (entrée n°%(sequence)s du journal) a disparu des "
                    "tables."
                )
                % {"number": number, "sequence": entry.sequence}
            )
        lines = [[p.account.code, p.amount_cents] for p in booked.lines]
        if _differs(entry, booked.journal_payload(lines)):
            raise BooksAltered(
                _(
                    "l'écriture n°%(number)s ne correspond plus à l'entrée n°%(sequence)s du "
                    "journal : ses lignes, sa date ou son libellé ont été modifiés dans la base."
                )
                % {"number": number, "sequence": entry.sequence}
            )
        counts["transactions"] += 1


def _check_movements(entries, counts) -> None:
    from commun.members.models import ShareMovement

    numbers = [_number(e.ref) for e in entries]
    found = {
        m.number: m
        for m in ShareMovement.objects.filter(number__in=numbers).select_related(
            "member", "counterpart", "corrects"
        )
    }
    for entry, number in zip(entries, numbers, strict=True):
        movement = found.get(number)
        if movement is None or _differs(entry, movement_payload(movement)):
            raise BooksAltered(
                _(
                    "le mouvement n°%(number)s du registre ne correspond plus à l'entrée "
                    "n°%(sequence)s du journal : il a été modifié ou supprimé dans la base."
                )
                % {"number": number, "sequence": entry.sequence}
            )
        counts["movements"] += 1


def _check_decisions(entries, counts) -> None:
    from commun.decisions.models import Decision

    ids = [_number(e.ref) for e in entries]
    found = Decision.objects.in_bulk(ids)
    for entry, pk in zip(entries, ids, strict=True):
        decision = found.get(pk)
        recorded = json.loads(entry.payload_json)
        if decision is None or not _same_outcome(recorded, decision_outcome_payload(decision)):
            raise BooksAltered(
                _(
                    "la décision n°%(pk)s ne correspond plus à l'entrée n°%(sequence)s du "
                    "journal : son issue, son texte ou son décompte ont été modifiés dans la base."
                )
                % {"pk": pk, "sequence": entry.sequence}
            )
        counts["decisions"] += 1


ASSEMBLY_KINDS = (JournalEntry.Kind.ASSEMBLY_RESOLUTION, JournalEntry.Kind.ASSEMBLY_MINUTES)


def _check_assemblies(entries, counts) -> None:
    """Each resolution's outcome and each frozen minutes' hash, as the assembly keeps them."""
    from commun.assemblies.effects import minutes_payload, resolution_payload
    from commun.assemblies.models import AgendaItem, Minutes

    for entry in entries:
        parts = entry.ref.split("-")  # assembly-<id>-resolution-<position>, assembly-<id>-minutes
        assembly = int(parts[1])
        if entry.kind == JournalEntry.Kind.ASSEMBLY_RESOLUTION:
            row = AgendaItem.objects.filter(assembly_id=assembly, position=int(parts[3])).first()
            now = resolution_payload(row) if row else None
            what = _("la résolution n°%(position)s de l'assemblée n°%(assembly)s") % {
                "position": parts[3],
                "assembly": assembly,
            }
        else:
            row = Minutes.objects.filter(assembly_id=assembly, frozen_at__isnull=False).first()
            now = minutes_payload(row) if row else None
            what = _("le procès-verbal de l'assemblée n°%(assembly)s") % {"assembly": assembly}
        if now is None or not _same_outcome(
            {**json.loads(entry.payload_json), "closed_at": None}, {**now, "closed_at": None}
        ):
            raise BooksAltered(
                _(
                    "%(what)s ne correspond plus à l'entrée n°%(sequence)s du journal : son "
                    "issue, son texte ou ses chiffres ont été modifiés dans la base."
                )
                % {"what": what, "sequence": entry.sequence}
            )
        counts["assemblies"] += 1


def _same_outcome(recorded: dict, now: dict) -> bool:
    # The closing time was chained in the time zone of the close: compare the instants.
    instants = [
        datetime.datetime.fromisoformat(value) if value else None
        for value in (recorded.pop("closed_at", None), now.pop("closed_at", None))
    ]
    return instants[0] == instants[1] and canonical_json(recorded) == canonical_json(now)


def _check_every_transaction_is_journaled_and_balanced(journaled: int) -> None:
    booked = Transaction.objects.count()
    books = Books.objects.filter(pk=1).first()
    numbered = books.last_transaction_number if books else 0
    if booked != journaled or numbered != booked:
        raise BooksAltered(
            _(
                "écritures en base : %(booked)s, au journal : %(journaled)s, numérotées : "
                "%(numbered)s — une écriture a été ajoutée ou supprimée hors de Commun."
            )
            % {"booked": booked, "journaled": journaled, "numbered": numbered}
        )
    unbalanced = (
        Posting.objects.values("transaction__number")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
        .order_by("transaction__number")
        .first()
    )
    if unbalanced:
        raise BooksAltered(
            ngettext(
                "l'écriture n°%(number)s n'est plus équilibrée (%(total)s centime d'écart).",
                "l'écriture n°%(number)s n'est plus équilibrée (%(total)s centimes d'écart).",
                abs(unbalanced["total"]),
            )
            % {"number": unbalanced["transaction__number"], "total": unbalanced["total"]}
        )


def _check_monthly_totals() -> None:
    """The public pages read the monthly totals: they must still be the postings' sums."""
    stored = {
        (row.account_id, row.month): (row.debit_cents, row.credit_cents, row.count)
        for row in MonthlyTotal.objects.iterator(chunk_size=2000)
    }
    computed = {
        (account_id, month): (debit, credit, count)
        for account_id, month, debit, credit, count in MonthlyTotal.objects.computed()
    }
    for key in sorted(stored.keys() | computed.keys(), key=lambda k: (k[1], k[0])):
        if stored.get(key) != computed.get(key):
            account = Account.objects.filter(pk=key[0]).first()
            raise BooksAltered(
                _(
                    "les totaux mensuels du compte %(account)s (%(month)s) ne sont plus la somme "
                    "de ses écritures : les pages publiques montreraient de faux chiffres "
                    "(MonthlyTotal.objects.rebuild() les recalcule)."
                )
                % {"account": account.code if account else key[0], "month": f"{key[1]:%m/%Y}"}
            )
