"""The published box of a closed secret vote: its hash chain, whether it holds, and a
receipt checked against it.

A voter keeps the receipt given with their secret ballot (`ballots.put_in_the_box`,
`elections.put_in_the_box`). Once the vote is closed, the box's page lists each ballot's
place in the chain — the receipt's SHA-256, never the receipt itself, and the chained
hashes — with no name, no time, no choice, recomputes the chain (`ballots.verify_box`),
and tells whoever pastes a receipt whether that ballot is in the box, so counted. It is
public when the rules the assembly was convened under publish its minutes (once frozen),
otherwise for the members convened.
"""

import hashlib
from dataclasses import asdict, dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from ninja import Query, Router, Schema

from commun.api_auth import public
from commun.assemblies import rules
from commun.assemblies.api import Id, Position
from commun.assemblies.ballots import verify_box
from commun.assemblies.models import AgendaItem, Assembly
from commun.lib.chain import first_break
from commun.lib.rules import active_member

# A receipt is XXXX-XXXX-XXXX-XXXX (`decisions.ballots.new_receipt`): longer is nobody's.
MAX_RECEIPT = 32


@dataclass(frozen=True)
class Link:
    sequence: int
    receipt_sha256: str
    previous_hash: str
    hash: str


def may_see(who, assembly: Assembly) -> bool:
    """Everyone once the minutes are frozen, when the rules of the day publish them; the
    members convened otherwise."""
    if assembly.phase == Assembly.Phase.MINUTES_FROZEN and assembly.rules.get("minutes_public"):
        return True
    return rules.is_convened(active_member(who), assembly)


def closed_secret_item(assembly: Assembly, position: int) -> AgendaItem | None:
    """The resolution or election at `position` if it was voted in secret and is closed."""
    return assembly.items.filter(
        position=position,
        secret=True,
        status=AgendaItem.Status.CLOSED,
        kind__in=[AgendaItem.Kind.RESOLUTION, AgendaItem.Kind.ELECTION],
    ).first()


def _ballots(item: AgendaItem):
    if item.kind == AgendaItem.Kind.ELECTION:
        return item.election_ballots.order_by("sequence")
    return item.secret_ballots.order_by("sequence")


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


def chain(item: AgendaItem) -> list[Link]:
    """The box's ballots in order: where each sits in the chain, nothing about who or what."""
    rows = _ballots(item).values_list("sequence", "receipt", "previous_hash", "hash")
    return [Link(s, receipt_hash(r), p, h) for s, r, p, h in rows]


def verify(item: AgendaItem) -> tuple[bool, int | None]:
    """(True, None) when every ballot's hash is its content chained on the one before, else
    (False, the first sequence that is wrong)."""
    if item.kind != AgendaItem.Kind.ELECTION:
        return verify_box(item)
    return first_break(
        (b.sequence, b.previous_hash, b.hash, b.fields()) for b in _ballots(item).iterator()
    )


def find(item: AgendaItem, receipt: str) -> int | None:
    """The sequence of the ballot this receipt was given with, or None."""
    receipt = clean_receipt(receipt)
    if not receipt:
        return None
    return _ballots(item).filter(receipt=receipt).values_list("sequence", flat=True).first()


def clean_receipt(text: str) -> str:
    """Receipts are letters, digits and dashes, in capitals: anything else goes (a NUL would
    answer 500 on PostgreSQL)."""
    kept = "".join(c for c in text if c.isascii() and (c.isalnum() or c == "-"))
    return kept.upper()[:MAX_RECEIPT]


# The published box of a closed secret vote ------------------------------------------------------


def _shown(who, pk: int, position: int) -> AgendaItem:
    """The closed secret item whose box `who` may see, or 404 (no one learns more)."""
    assembly = Assembly.objects.filter(pk=pk).exclude(phase=Assembly.Phase.DRAFT).first()
    if assembly is None or not may_see(who, assembly):
        raise Http404
    item = closed_secret_item(assembly, position)
    if item is None:
        raise Http404
    return item


@require_GET
def box_page(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """The box's chain, whether it holds, and the receipt pasted (`recu`) found or not."""
    item = _shown(request.user, pk, position)
    assembly = item.assembly
    receipt = clean_receipt(request.GET.get("recu", ""))
    intact, broken_at = verify(item)
    return render(
        request,
        "assemblies/box.html",
        {
            "assembly": assembly,
            "item": item,
            "links": chain(item),
            "intact": intact,
            "broken_at": broken_at,
            "receipt": receipt,
            "found": find(item, receipt) if receipt else None,
        },
    )


# API ------------------------------------------------------------------------------------------

router = Router(tags=["Assemblées générales"])


class AssemblyBoxLinkOut(Schema):
    sequence: int
    receipt_sha256: str
    previous_hash: str
    hash: str


class AssemblyBoxOut(Schema):
    position: int
    intact: bool
    broken_at: int | None
    ballots: list[AssemblyBoxLinkOut]
    receipt_found: int | None = None


@router.get(
    "/assemblies/{assembly_id}/resolutions/{position}/box", auth=public, response=AssemblyBoxOut
)
def box(
    request,
    assembly_id: int = Id,
    position: int = Position,
    receipt: str = Query("", max_length=100),
):
    """A closed secret vote's box (a resolution or an election): each ballot's place in the
    chain (the SHA-256 of its receipt, the chained hashes; no name, time nor choice), whether
    the chain holds, and with `receipt` the sequence of that ballot (null: not in the box).
    Public once frozen when the assembly's rules publish its minutes; else for the members
    convened (404 for anyone else)."""
    item = _shown(request.auth, assembly_id, position)
    intact, broken_at = verify(item)
    return {
        "position": position,
        "intact": intact,
        "broken_at": broken_at,
        "ballots": [asdict(link) for link in chain(item)],
        "receipt_found": find(item, receipt) if receipt else None,
    }
