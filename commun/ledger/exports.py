"""The books as other tools read them: Beancount and the FEC, streamed line by line.

Each writer is a generator of lines (ending with "\\n") that reads the ledger in pages of
`EXPORT_CHUNK_SIZE` transactions (keyset pagination, two queries a page), so exporting a
million transactions takes the memory of one page. The command (`commun export`) and the
web downloads (`export_views`) both consume them.

FEC choices (article A47 A-1 du LPF):
- one line per posting, entries numbered 1..N without a gap in (date, number) order over
  the calendar year asked for;
- `CompteNum` is the PCG number, padded with zeros to three digits (74 → 740); a fund
  sub-account ("1068-DISPO", "1068-ENG-M12") is written as its PCG number 1068 with the
  rest of its code as the auxiliary account (`CompAuxNum` DISPO, ENG-M12) and its name as
  `CompAuxLib`;
- journal "BQ" (Banque) for the transactions that touch the bank (512), "OD" (Opérations
  diverses) for all the others;
- `PieceRef` is the transaction's number in the ledger, `ValidDate` the day it was recorded
  (a transaction is final once recorded), no foreign currency;
- accountants open the FEC in a spreadsheet too, so its free-text columns (account names,
  auxiliary account, label) are defused like every CSV cell (`spreadsheet_safe`: a leading
  quote before = + - @). Only text columns: `Debit` and `Credit` are never negative and keep
  the decimal comma the DGFiP's tools read as a number, and dates and numbers are ours.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterator

from django.db.models import Exists, Max, Min, OuterRef
from django.utils import timezone

from commun.ledger import chart, signing
from commun.ledger.journal import EXPORT_CHUNK_SIZE, GENESIS_HASH, export_lines
from commun.ledger.models import Account, Books, JournalEntry, Posting, Transaction
from commun.lib.csvstream import spreadsheet_safe
from commun.lib.paging import in_key_order

BEANCOUNT_ROOTS = {
    chart.ASSET: "Assets",
    chart.LIABILITY: "Liabilities",
    chart.EQUITY: "Equity",
    chart.INCOME: "Income",
    chart.EXPENSE: "Expenses",
}
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
YEARS = range(1900, 10000)  # a year a date can hold, and books could have
FEC_BANK_JOURNAL = ("BQ", "Banque")
FEC_OTHER_JOURNAL = ("OD", "Opérations diverses")
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


# Reading the ledger in pages ------------------------------------------------------------


def transactions_in_pages(transactions, order=("number",)) -> Iterator[tuple[dict, list]]:
    """(transaction values, [(account id, cents)]) in `order`, one page of rows at a time.

    `order` is ("number",) or ("date", "number"): both have an index to start each page from.
    """
    fields = ("id", "number", "date", "label", "reverses__number", "recorded_at")
    last = None
    while True:
        page = transactions.order_by(*order)
        if last is not None:
            if order == ("number",):
                page = page.filter(number__gt=last["number"])
            else:
                # date >= d lets the (date, number) index start the page where the last ended.
                page = page.filter(date__gte=last["date"]).exclude(
                    date=last["date"], number__lte=last["number"]
                )
        rows = list(page.values(*fields)[:EXPORT_CHUNK_SIZE])
        if not rows:
            return
        postings = {row["id"]: [] for row in rows}
        for transaction_id, account_id, cents in (
            Posting.objects.filter(transaction_id__in=postings)
            .order_by("transaction_id", "id")
            .values_list("transaction_id", "account_id", "amount_cents")
        ):
            postings[transaction_id].append((account_id, cents))
        for row in rows:
            yield row, postings[row["id"]]
        last = rows[-1]


def journal_lines() -> Iterator[str]:
    """The hash-chained journal, one JSON entry a line (what `commun verify` checks)."""
    entries = in_key_order(JournalEntry.objects.all(), "sequence", EXPORT_CHUNK_SIZE)
    for line in export_lines(entries):
        yield line + "\n"


def years_with_transactions() -> list[int]:
    """Every calendar year from the first transaction to the last (two index lookups)."""
    bounds = Transaction.objects.aggregate(first=Min("date"), last=Max("date"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["first"].year, bounds["last"].year + 1))


def _of_year(year: int | None):
    transactions = Transaction.objects.all()
    if year is not None:
        transactions = transactions.filter(
            date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
        )
    return transactions


def _cents(cents: int, decimal_mark: str = ".") -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{decimal_mark}{abs(cents) % 100:02d}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Beancount ------------------------------------------------------------------------------


def beancount_account(code: str, name: str, kind: str) -> str:
    """A valid Beancount name: root by nature, then "C" + the PCG code + the name in ASCII.

    e.g. Assets:C512-Banque, Equity:C1068-DISPO-Reserve-disponible-pour-les-missions.
    """
    ascii_name = (
        unicodedata.normalize("NFKD", name.translate(LIGATURES)).encode("ascii", "ignore").decode()
    )
    words = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-")[:60].rstrip("-")
    code_part = re.sub(r"[^A-Za-z0-9-]+", "-", code)
    return f"{BEANCOUNT_ROOTS[kind]}:C{code_part}" + (f"-{words}" if words else "")


def _beancount_string(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def beancount_lines(year: int | None = None, title: str = "") -> Iterator[str]:
    """The ledger (or one calendar year of it) as a Beancount file that `bean-check` accepts.

    Amounts keep the ledger's sign: Beancount too counts a debit positive.
    """
    transactions = _of_year(year)
    yield "; Exporté par Commun : une transaction par écriture du grand livre.\n"
    if title:
        yield f'option "title" {_beancount_string(title)}\n'
    yield 'option "operating_currency" "EUR"\n\n'
    first = transactions.aggregate(first=Min("date"))["first"]
    if first is None:
        return
    used = Posting.objects.filter(account=OuterRef("pk"))
    names = {}
    for account in Account.objects.filter(Exists(used)).order_by("code"):
        names[account.pk] = beancount_account(account.code, account.name, account.kind)
        yield f"{first.isoformat()} open {names[account.pk]} EUR\n"
    for row, postings in transactions_in_pages(transactions):
        yield f"\n{row['date'].isoformat()} * {_beancount_string(row['label'])}\n"
        yield f"  number: {row['number']}\n"
        if row["reverses__number"] is not None:
            yield f"  reverses: {row['reverses__number']}\n"
        for account_id, cents in postings:
            yield f"  {names[account_id]}  {_cents(cents)} EUR\n"


# FEC ------------------------------------------------------------------------------------


def fec_account(code: str, names_by_code: dict[str, str]) -> tuple[str, str, str, str]:
    """(CompteNum, CompteLib, CompAuxNum, CompAuxLib): a fund sub-account is auxiliary."""
    number, _dash, auxiliary = code.partition("-")
    compte_num = number.ljust(3, "0")
    compte_lib = names_by_code.get(number, names_by_code.get(code, ""))
    auxiliary_lib = names_by_code.get(code, "") if auxiliary else ""
    return (
        compte_num,
        spreadsheet_safe(_one_line(compte_lib)),
        spreadsheet_safe(auxiliary),
        spreadsheet_safe(_one_line(auxiliary_lib)),
    )


def fec_filename(year: int, siren: str = "") -> str:
    """The name the DGFiP expects: SIREN, "FEC", the closing date of the year."""
    return f"{siren or 'Commun'}FEC{year}1231.txt"


def fec_lines(year: int) -> Iterator[str]:
    """The Fichier des Écritures Comptables of one calendar year, tab-separated."""
    yield "\t".join(FEC_COLUMNS) + "\n"
    accounts = list(Account.objects.values_list("pk", "code", "name"))
    names_by_code = {code: name for _pk, code, name in accounts}
    columns = {pk: fec_account(code, names_by_code) for pk, code, _name in accounts}
    bank_ids = {pk for pk, code, _name in accounts if code.split("-")[0] == chart.BANK}
    pages = transactions_in_pages(_of_year(year), order=("date", "number"))
    for numbering, (row, postings) in enumerate(pages, start=1):
        journal = (
            FEC_BANK_JOURNAL
            if any(account_id in bank_ids for account_id, _cents in postings)
            else FEC_OTHER_JOURNAL
        )
        date = row["date"].strftime("%Y%m%d")
        valid = timezone.localtime(row["recorded_at"]).strftime("%Y%m%d")
        label = spreadsheet_safe(_one_line(row["label"]))
        for account_id, cents in postings:
            fields = (
                *journal,
                str(numbering),
                date,
                *columns[account_id],
                str(row["number"]),
                date,
                label,
                _cents(max(cents, 0), ","),
                _cents(max(-cents, 0), ","),
                "",
                "",
                valid,
                "",
                "",
            )
            yield "\t".join(fields) + "\n"


def current_digest() -> dict:
    """The journal's length and head, signed now (the Books row holds both)."""
    books = Books.objects.filter(pk=1).first()
    if books is None:
        return signing.sign_digest(0, GENESIS_HASH, timezone.now())
    return signing.sign_digest(books.journal_length, books.journal_head_hash, timezone.now())
