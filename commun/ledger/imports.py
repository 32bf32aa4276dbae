"""Bank statement import: a CSV checked whole, then booked whole, or not at all.

Columns `date;libellé;montant;compte` (a comma also separates; headers in French or
English). A positive amount is money in, a negative one money out; `compte` is the account
the bank line is posted against, the counterpart being the bank (512). Every line gets an
idempotency key from its normalised content and its occurrence in the file, so importing
the same statement twice books nothing the second time, and says so.
"""

import csv
import dataclasses
import datetime
import hashlib
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.ledger import chart, rules
from commun.ledger.models import Account, Books, Transaction, check_booking_date
from commun.lib.controls import has_control
from commun.lib.csvimport import ImportRefused, LineError, plain
from commun.lib.money import AmountError, parse_euros

MAX_LINES = 50_000
CONTROL = gettext_lazy("la ligne contient un caractère de contrôle interdit (NUL ou autre).")
HEADERS = {
    "date": ("date", "date operation", "date de l'operation", "date valeur", "jour"),
    "label": ("libelle", "label", "description", "intitule", "libelle de l'operation"),
    "amount": ("montant", "amount", "montant (eur)", "montant eur", "somme"),
    "account": ("compte", "account", "compte comptable", "imputation", "nature"),
}


@dataclasses.dataclass
class BankLine:
    line: int
    date: datetime.date
    label: str
    cents: int  # positive: money in
    account: str
    key: str

    @property
    def postings(self) -> list:
        return [(chart.BANK, self.cents), (self.account, -self.cents)]


def _date(text: str) -> datetime.date:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _amount_text(text: str) -> str:
    """Banks write '−12,50 €' or '-12,50 EUR': the number, read by the one money parser."""
    return text.replace("€", "").replace("EUR", "").strip()


def _reason(message) -> str:
    """A shared rule's sentence as the rest of a line's error: "Ligne 3 : le montant…"."""
    text = str(message)
    return text[:1].lower() + text[1:]


def _key(date, label, cents, account, occurrence) -> str:
    normal = f"{date.isoformat()}|{' '.join(label.split()).lower()}|{cents}|{account}"
    digest = hashlib.sha256(normal.encode()).hexdigest()
    return f"bank-{digest[:48]}-{occurrence}"


def _read_rows(text: str) -> list:
    """Every row, the header first; the separator (; , or tab) is read from the header."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    if "\t" in first and first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return list(reader)


def _columns(rows: list) -> dict[str, int]:
    """Where each needed column is, from the header; ImportRefused if one is missing."""
    header = [plain(cell) for cell in rows[0]]
    columns = {}
    for field, names in HEADERS.items():
        for index, name in enumerate(header):
            if name in names:
                columns[field] = index
                break
    missing = [field for field in HEADERS if field not in columns]
    if missing:
        raise ImportRefused(
            [
                LineError(
                    1,
                    _(
                        "l'en-tête doit nommer les colonnes date ; libellé ; montant ; compte "
                        "(trouvé : %(found)s)."
                    )
                    % {"found": " ; ".join(rows[0]) or "—"},
                )
            ]
        )
    return columns


def _read_line(row: list, columns: dict, known: set, closed: int, today) -> tuple[tuple, list]:
    """(day, label, cents, account) of one line, and the reasons it is refused (if any)."""
    reasons = []
    try:
        day = _date(row[columns["date"]])
    except ValueError:
        day = None
        reasons.append(
            _("date invalide « %(value)s » (JJ/MM/AAAA ou AAAA-MM-JJ).")
            % {"value": row[columns["date"]]}
        )
    else:
        try:
            check_booking_date(day, today=today, closed_through_year=closed)
        except ValidationError as refused:
            reasons.extend(_reason(m) for m in refused.message_dict["date"])
    label = " ".join(row[columns["label"]].split())
    if not label:
        reasons.append(_("le libellé est vide."))
    elif len(label) > 300:
        reasons.append(_("le libellé dépasse 300 caractères."))
    cents = None
    try:
        cents = parse_euros(_amount_text(row[columns["amount"]]), negative=True)
    except AmountError as refused:
        reasons.append(
            _("montant invalide « %(value)s » : %(reason)s")
            % {"value": row[columns["amount"]], "reason": _reason(refused.message)}
        )
    account = row[columns["account"]].strip().upper()
    if account not in known:
        reasons.append(_("compte inconnu « %(code)s ».") % {"code": account})
    elif account in (chart.BANK,):
        reasons.append(_("le compte de contrepartie ne peut pas être la banque elle-même."))
    return (day, label, cents, account), reasons


def parse(text: str) -> list[BankLine]:
    """Every line of the statement checked, or ImportRefused listing every error found."""
    if not isinstance(text, str) or not text.strip():
        raise ImportRefused([LineError(1, _("le fichier est vide."))])
    try:
        rows = _read_rows(text)
    except csv.Error as error:
        message = _("CSV illisible (%(error)s).") % {"error": error}
        raise ImportRefused([LineError(1, message)]) from None
    columns = _columns(rows)
    if len(rows) - 1 > MAX_LINES:
        raise ImportRefused(
            [LineError(1, _("%(max)s lignes au plus par import.") % {"max": MAX_LINES})]
        )
    known = set(Account.objects.values_list("code", flat=True)) | {
        code for code, *_rest in chart.STANDARD_CHART
    }
    closed = Books.objects.filter(pk=1).values_list("closed_through_year", flat=True).first() or 0
    today = timezone.localdate()
    errors: list[LineError] = []
    lines: list[BankLine] = []
    seen: dict[tuple, int] = {}
    width = max(columns.values()) + 1
    for number, row in enumerate(rows, start=1):
        if has_control(row):
            errors.append(LineError(number, str(CONTROL)))
            continue
        if number == 1 or not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            errors.append(LineError(number, _("il manque des colonnes.")))
            continue
        (day, label, cents, account), reasons = _read_line(row, columns, known, closed, today)
        if reasons:
            errors.extend(LineError(number, reason) for reason in reasons)
            continue
        identity = (day, label.lower(), cents, account)
        if identity in seen:
            errors.append(
                LineError(
                    number,
                    _("ligne en double (identique à la ligne %(first)s).")
                    % {"first": seen[identity]},
                )
            )
            continue
        seen[identity] = number
        lines.append(
            BankLine(number, day, label, cents, account, _key(day, label, cents, account, 0))
        )
    if not lines and not errors:
        errors.append(LineError(1, _("aucune ligne à importer.")))
    errors.extend(_already_imported(lines))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.line))
    return lines


def _already_imported(lines: list[BankLine]) -> list[LineError]:
    found = set()
    keys = [line.key for line in lines]
    for start in range(0, len(keys), 500):
        found.update(
            Transaction.objects.filter(idempotency_key__in=keys[start : start + 500]).values_list(
                "idempotency_key", flat=True
            )
        )
    return [
        LineError(line.line, _("ligne déjà importée (écriture existante)."))
        for line in lines
        if line.key in found
    ]


def preview(text: str, *, by) -> list[BankLine]:
    """What `book` would book, checked whole, booking nothing (the officer's preview)."""
    rules.require(by, "import_statement")
    return parse(text)


def book(text: str, *, by=None, progress=None) -> list[Transaction]:
    """Check the statement whole, then book every line in one database transaction.

    `progress(n)` is called after each booked line (the killed-process test watches it).
    `by` is the officer importing it.
    """
    rules.require(by, "import_statement")
    lines = parse(text)
    with transaction.atomic():
        # Checked again under the lock: a concurrent import of the same file books nothing.
        Books.locked()
        duplicates = _already_imported(lines)
        if duplicates:
            raise ImportRefused(duplicates)
        booked = []
        for line in lines:
            try:
                booked.append(
                    Transaction.objects.record(
                        line.date, line.label, line.postings, idempotency_key=line.key, by=by
                    )
                )
            except ValidationError as error:
                raise ImportRefused(
                    [LineError(line.line, message) for message in error.messages]
                ) from None
            if progress is not None:
                progress(len(booked))
    return booked
