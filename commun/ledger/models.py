"""The double-entry ledger and its hash-chained journal.

Sign convention: a posting's `amount_cents` is positive for a debit and negative for a
credit, so every transaction sums to zero and an account's balance is the plain sum of its
postings (positive: debit balance, e.g. the bank; negative: credit balance, e.g. capital).

Nothing here is ever updated or deleted: the ORM refuses, and so does the database
(migration 0002). A correction is a reversal that names the transaction it corrects.
PostgreSQL also refuses at commit a transaction that does not balance; SQLite cannot defer
a check, so there `Transaction.objects.record()` is the only guard: write through it.
"""

import datetime
import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.ledger import chart, rules
from commun.ledger.journal import GENESIS_HASH, canonical_json, entry_hash
from commun.ledger.labels import readable, system_label
from commun.ledger.signals import transaction_recorded
from commun.lib import uploads
from commun.lib.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from commun.lib.money import MAX_AMOUNT_CENTS, is_whole_cents
from commun.privacy.declarations import ACCOUNTING, Audience, Erasure, not_personal, personal

ACCOUNT_CODE = re.compile(r"^[0-9]{1,8}(-[A-Z0-9]+)*$")
CASH = "530"
MONEY_ACCOUNTS = (chart.BANK, CASH)  # where income is paid into and expenses paid from
VAT_COLLECTED = "44571"
VAT_DEDUCTIBLE = "44566"
VAT_RATES = ("", "2.1", "5.5", "10", "20")  # "": no VAT
RETAINED_LOSS = "119"
REVERSAL_INSTEAD = "The ledger is append-only: record a reversal instead."


class Books(models.Model):
    """One row (pk=1) locked by every write to the books: it serialises both numberings."""

    last_transaction_number = models.PositiveBigIntegerField(default=0)
    journal_length = models.PositiveBigIntegerField(default=0)
    journal_head_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # The last closed fiscal year (0: none), cached here so record() refuses a date in a
    # closed year without another query.
    closed_through_year = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="books_is_single")]

    def __str__(self):
        return f"{self.last_transaction_number} écritures, {self.journal_length} entrées"

    @classmethod
    def locked(cls) -> "Books":
        """The row, locked until the transaction ends (created on first use)."""
        try:
            return cls.objects.select_for_update().get(pk=1)
        except cls.DoesNotExist:
            cls.objects.get_or_create(pk=1)
            return cls.objects.select_for_update().get(pk=1)


class AccountQuerySet(models.QuerySet):
    def with_balances(self) -> tuple[list["Account"], dict[str, int]]:
        """Every account, and {code: balance} from the monthly totals (two queries)."""
        accounts = list(self.all())
        by_id = MonthlyTotal.objects.balances()
        return accounts, {a.code: by_id.get(a.pk, 0) for a in accounts}

    def summary(self, with_balances: tuple | None = None) -> dict:
        """The treasury in a few figures (positive cents): what the public accounts open with.

        `with_balances` is what `with_balances()` answered, when the caller has it already.
        """
        accounts, balances = with_balances or self.with_balances()
        missions = [
            {"code": a.code, "name": a.name, "cents": -balances[a.code]}
            for a in accounts
            if a.code.startswith(f"{chart.RESERVE_COMMITTED}-") and balances[a.code]
        ]
        return {
            "reserve_available_cents": -balances.get(chart.RESERVE_AVAILABLE, 0),
            "reserve_committed_cents": sum(m["cents"] for m in missions),
            "commons_fund_cents": -balances.get(chart.COMMONS_FUND, 0),
            "legal_reserve_cents": -balances.get(chart.LEGAL_RESERVE, 0),
            "capital_cents": -balances.get(chart.CAPITAL, 0),
            "bank_cents": balances.get(chart.BANK, 0),
            "cash_cents": balances.get("530", 0),
            "missions": missions,
        }

    def load_chart(self):
        """Create the standard accounts that are missing; existing ones are left as they are."""
        load_chart(self.model)

    def mission_commitment(self, mission_ref: str, name: str) -> "Account":
        """The account holding what the reserve committed to one mission ("1068-ENG-<ref>")."""
        parent = self.filter(code=chart.RESERVE_COMMITTED).first()
        if parent is None:  # a flushed test database: the chart comes back first
            self.load_chart()
            parent = self.get(code=chart.RESERVE_COMMITTED)
        account, _created = self.get_or_create(
            code=f"{chart.RESERVE_COMMITTED}-{mission_ref}".upper(),
            defaults={"name": name, "kind": Account.Kind.EQUITY, "parent": parent},
        )
        return account


def load_chart(account_model):
    """Shared by the data migration (historical model) and the manager (current model)."""
    existing = set(account_model.objects.values_list("code", flat=True))
    by_code = {}
    for code, name, kind, parent in chart.STANDARD_CHART:
        if code in existing:
            continue
        parent_id = None
        if parent:
            parent_id = by_code.get(parent) or account_model.objects.get(code=parent).pk
        account = account_model.objects.create(code=code, name=name, kind=kind, parent_id=parent_id)
        by_code[code] = account.pk


class Account(models.Model):
    """An account of the chart (PCG), or a fund sub-account such as the reserve available."""

    class Kind(models.TextChoices):
        ASSET = chart.ASSET, _("Actif")
        LIABILITY = chart.LIABILITY, _("Passif")
        EQUITY = chart.EQUITY, _("Capitaux propres")
        INCOME = chart.INCOME, _("Produit")
        EXPENSE = chart.EXPENSE, _("Charge")

    code = models.CharField(_("numéro de compte"), max_length=40, unique=True)
    name = models.CharField(_("intitulé"), max_length=200)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("compte parent"),
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("plan de comptes")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def readable_name(self) -> str:
        return chart.readable_name(self.code, self.name)

    def clean(self):
        if not ACCOUNT_CODE.match(self.code or ""):
            raise ValidationError(
                {"code": _("Un numéro de compte s'écrit en chiffres, ex. 512 ou 1068-DISPO.")}
            )

    def balance(self) -> int:
        """Sum of the postings in cents: positive is a debit balance, negative a credit one.

        The truth, read from every posting; pages read `MonthlyTotal` instead.
        """
        return self.postings.aggregate(total=Sum("amount_cents"))["total"] or 0

    @property
    def is_result_account(self) -> bool:
        """Expenses (6) and income (7): the accounts a year close brings back to zero."""
        return self.code[:1] in ("6", "7")


BAD_DATE = _("La date de l'écriture est invalide.")
AFTER_TODAY = _(
    "Une écriture ne se date pas après aujourd'hui : un paiement prévu est un engagement, "
    "il s'enregistre le jour où il est fait."
)
CLOSED_YEAR = _(
    "L'exercice %(year)s est clos : aucune écriture ne peut plus y être datée. Datez-la dans "
    "l'exercice ouvert."
)


def check_booking_date(
    date,
    *,
    field: str = "date",
    today: datetime.date | None = None,
    closed_through_year: int | None = None,
) -> None:
    """The one rule for the date of anything booked: in an open fiscal year, not after today.

    Every way in applies it (record(), the bank import, the API, missions' payments, gifts),
    so each refuses the same dates with the same words, on its own `field`. A planned
    payment is a commitment, not a booking: it is booked on the day it is made. Without
    `closed_through_year` (the locked books' own, in record()) it is read here.
    """
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise ValidationError({field: BAD_DATE})
    if date > (today or timezone.localdate()):
        raise ValidationError({field: AFTER_TODAY})
    if closed_through_year is None:
        closed_through_year = (
            Books.objects.filter(pk=1).values_list("closed_through_year", flat=True).first() or 0
        )
    if date.year <= closed_through_year:
        raise ValidationError({field: CLOSED_YEAR % {"year": date.year}})


def request_digest(date, label, postings, reverses) -> str:
    """What a retried request must repeat exactly to be answered with the same transaction."""
    body = {
        "date": date.isoformat(),
        "label": label,
        "postings": [[code, cents] for code, cents in postings],
        "reverses": reverses.number if reverses else None,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def _validate_request(date, label, postings, idempotency_key) -> list:
    """Refuse a malformed request before anything is written; return the postings as a list."""
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise ValidationError({"date": BAD_DATE})
    if not isinstance(label, str) or not label.strip() or len(label) > 300:
        raise ValidationError({"label": _("Le libellé est obligatoire (300 caractères au plus).")})
    if not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 100:
        raise ValidationError(
            {"idempotency_key": _("La clé d'idempotence est obligatoire (100 caractères au plus).")}
        )
    try:
        postings = [(code, cents) for code, cents in postings]
    except (TypeError, ValueError):
        raise ValidationError(
            {"postings": _("Chaque ligne d'écriture est un couple (compte, montant en centimes).")}
        ) from None
    if len(postings) < 2:
        raise ValidationError({"postings": _("Une écriture a au moins deux lignes.")})
    for code, cents in postings:
        if not isinstance(code, str):
            raise ValidationError({"postings": _("Un numéro de compte est un texte.")})
        if not is_whole_cents(cents):
            raise ValidationError(
                {"postings": _("Les montants sont des nombres entiers de centimes.")}
            )
        if cents == 0:
            raise ValidationError({"postings": _("Une ligne d'écriture n'est jamais nulle.")})
        if abs(cents) > MAX_AMOUNT_CENTS:
            raise ValidationError({"postings": _("Ce montant dépasse la limite admise.")})
    if sum(cents for _code, cents in postings) != 0:
        raise ValidationError(
            {
                "postings": _(
                    "L'écriture n'est pas équilibrée : les débits doivent égaler les crédits."
                )
            }
        )
    return postings


class TransactionQuerySet(AppendOnlyQuerySet):
    def with_lines(self, rows: list["Transaction"]) -> list["Transaction"]:
        """Attach each row's postings (`lines`, debits first) and accounts in one query, and
        its total in cents."""
        ids = [row.pk for row in rows]
        lines: dict[int, list] = {pk: [] for pk in ids}
        for posting in Posting.objects.filter(transaction_id__in=ids).select_related("account"):
            lines[posting.transaction_id].append(posting)
        for row in rows:
            row.lines = sorted(lines[row.pk], key=lambda p: (p.amount_cents < 0, p.pk))
            row.total_cents = sum(p.amount_cents for p in row.lines if p.amount_cents > 0)
        return rows

    def record(
        self,
        date: datetime.date,
        label: str,
        postings,
        *,
        idempotency_key: str,
        by=None,
        reverses: "Transaction | None" = None,
        today: datetime.date | None = None,
    ) -> "Transaction":
        """Book one balanced transaction, once per idempotency key, all or nothing.

        `postings` is [(account code, cents)], debits positive and credits negative. The
        date is in an open fiscal year and not after `today` (the real one by default;
        the year close and the tests of time passing say which day it is).
        """
        booked, _is_new = self._record_once(
            date, label, postings, idempotency_key, by, reverses, today
        )
        return booked

    def _record_once(
        self, date, label, postings, idempotency_key, by, reverses=None, today=None, savepoint=True
    ) -> tuple["Transaction", bool]:
        """record(), saying whether this request booked; `savepoint=False` for a caller whose
        own transaction holds the rest of its work (a refusal rolls it all back)."""
        postings = _validate_request(date, label, postings, idempotency_key)
        digest = request_digest(date, label, postings, reverses)
        with transaction.atomic(savepoint=savepoint):
            # Serialises numbering, so two retries of one request cannot both book it.
            books = Books.locked()
            existing = self.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                if existing.request_digest != digest:
                    raise ValidationError(
                        {
                            "idempotency_key": _(
                                "Cette clé d'idempotence a déjà servi pour une autre écriture : "
                                "rien n'a été enregistré."
                            )
                        }
                    )
                return existing, False
            booked = self._book(
                books, date, label, postings, idempotency_key, digest, by, reverses, today
            )
            books.save(
                update_fields=["last_transaction_number", "journal_length", "journal_head_hash"]
            )
        return booked, True

    def _book(
        self, books, date, label, postings, idempotency_key, digest, by, reverses=None, today=None
    ) -> "Transaction":
        """Write one checked request under the books' lock; the caller saves `books`."""
        check_booking_date(date, today=today, closed_through_year=books.closed_through_year)
        accounts = _accounts_for({code for code, _cents in postings})
        if reverses is not None:
            _check_reversal(reverses, postings)
        books.last_transaction_number += 1
        booked = self.model(
            number=books.last_transaction_number,
            date=date,
            label=label.strip(),
            idempotency_key=idempotency_key,
            request_digest=digest,
            reverses=reverses,
            recorded_by=by,
        )
        booked.save()
        Posting.objects.bulk_create(
            Posting(transaction=booked, account=accounts[code], amount_cents=cents)
            for code, cents in postings
        )
        MonthlyTotal.objects.add(date, [(accounts[code], cents) for code, cents in postings])
        JournalEntry.objects.append(
            books,
            JournalEntry.Kind.TRANSACTION,
            f"transaction-{booked.number}",
            booked.journal_payload(postings),
        )
        transaction_recorded.send(sender=self.model, transaction=booked, postings=postings)
        return booked

    def record_income_or_expense(
        self,
        direction: str,
        date: datetime.date,
        label: str,
        nature: str,
        amount_cents: int,
        *,
        idempotency_key: str,
        vat_rate: str = "",
        via: str = chart.BANK,
        receipt=None,
        by=None,
    ) -> "Transaction":
        """Book money in ("income", credited to a 7x) or out ("expense", a 6x), VAT included.

        `amount_cents` is what the bank or the cash box saw; with a VAT rate, the tax is
        taken out of it (44571 collected, 44566 deductible). A receipt, when given, is
        attached once: a retried request returns the first booking and its receipt.
        `by` is the officer booking it.
        """
        rules.require(by, "record_transaction")
        if not is_whole_cents(amount_cents) or amount_cents <= 0:
            raise ValidationError({"amount": _("Le montant doit être supérieur à zéro.")})
        if direction not in ("income", "expense"):
            raise ValidationError({"direction": _("Ni une recette ni une dépense.")})
        expected = "7" if direction == "income" else "6"
        if not isinstance(nature, str) or not nature.startswith(expected):
            raise ValidationError(
                {
                    "nature": _("Choisissez un compte de produits (7…).")
                    if direction == "income"
                    else _("Choisissez un compte de charges (6…).")
                }
            )
        if via not in MONEY_ACCOUNTS:
            raise ValidationError({"via": _("Choisissez la banque (512) ou la caisse (530).")})
        if vat_rate not in VAT_RATES:
            raise ValidationError({"vat_rate": _("Taux de TVA inconnu.")})
        vat = tax_in(amount_cents, vat_rate)
        if direction == "income":
            postings = [(via, amount_cents), (nature, -(amount_cents - vat))]
            if vat:
                postings.append((VAT_COLLECTED, -vat))
        else:
            postings = [(nature, amount_cents - vat), (via, -amount_cents)]
            if vat:
                postings.append((VAT_DEDUCTIBLE, vat))
        with transaction.atomic():
            booked, is_new = self._record_once(
                date, label, postings, idempotency_key, by, savepoint=False
            )
            # The receipt is attached by the request that booked, never by its retry.
            if receipt is not None and is_new:
                booked.attach_receipt(receipt, by=by)
        return booked

    def post_share_movement(self, movement, by=None):
        """Journal a register movement and book the money it moves (called by the register).

        Payments bring capital in (debit 512 bank, credit 101 capital), repayments take it
        out; correcting either books the reversal of its transaction.
        """
        from commun.members.models import ShareMovement

        # No savepoint of its own: the register's transaction is all or nothing already.
        with transaction.atomic(savepoint=False):
            books = Books.locked()
            # Every movement is journalled, so it is dated as the books are: never in a closed
            # fiscal year (read under their lock), whether or not it moves money.
            check_booking_date(movement.date, closed_through_year=books.closed_through_year)
            JournalEntry.objects.append(
                books,
                JournalEntry.Kind.SHARE_MOVEMENT,
                f"register-{movement.number}",
                movement_payload(movement),
            )
            kind = movement.kind
            if kind in (ShareMovement.Kind.PAYMENT, ShareMovement.Kind.REPAYMENT):
                # The key names a movement numbered under the register's lock in this very
                # transaction: no booking can hold it yet (and the unique index says so).
                booked = self._book(books, *_share_movement_request(movement), by=by)
                books.save(
                    update_fields=["last_transaction_number", "journal_length", "journal_head_hash"]
                )
                return booked
            books.save(update_fields=["journal_length", "journal_head_hash"])
            if kind == ShareMovement.Kind.CORRECTION:
                corrected = self.filter(
                    idempotency_key=f"register-{movement.corrects.number}"
                ).first()
                if corrected is not None:
                    return corrected.reverse(
                        system_label(
                            "register_correction",
                            corrects=movement.corrects.number,
                            number=movement.number,
                        ),
                        idempotency_key=f"register-{movement.number}",
                        on=movement.date,
                        by=by,
                    )
        return None


def _share_movement_request(movement) -> tuple:
    """(date, label, postings, key, digest) of the money a payment or a repayment moves."""
    from commun.members.models import ShareMovement

    amount, number, member = movement.amount_cents, movement.number, movement.member.number
    if movement.kind == ShareMovement.Kind.PAYMENT:
        label = system_label("share_payment", member=member, number=number)
        postings = [(chart.BANK, amount), (chart.CAPITAL, -amount)]
    else:
        label = system_label("share_repayment", member=member, number=number)
        postings = [(chart.CAPITAL, amount), (chart.BANK, -amount)]
    key = f"register-{number}"
    postings = _validate_request(movement.date, label, postings, key)
    return movement.date, label, postings, key, request_digest(movement.date, label, postings, None)


def tax_in(amount_cents: int, vat_rate: str) -> int:
    """The VAT contained in an amount paid, at a rate like "20" or "5.5" (rounded half up)."""
    if not vat_rate:
        return 0
    from decimal import ROUND_HALF_UP, Decimal

    rate = Decimal(vat_rate)
    vat = Decimal(amount_cents) * rate / (100 + rate)
    return int(vat.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _accounts_for(codes: set[str]) -> dict:
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    missing = codes - accounts.keys()
    if missing and missing <= {row[0] for row in chart.STANDARD_CHART}:
        Account.objects.load_chart()  # the standard chart is always there, even after a flush
        accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
        missing = codes - accounts.keys()
    if missing:
        raise ValidationError(
            {"postings": _("Compte inconnu : %(codes)s.") % {"codes": ", ".join(sorted(missing))}}
        )
    return accounts


def _check_reversal(reversed_transaction, postings):
    if reversed_transaction.reverses_id is not None:
        raise ValidationError(
            {
                "reverses": _(
                    "Une contrepassation ne se contrepasse pas : enregistrez la bonne écriture."
                )
            }
        )
    if Transaction.objects.filter(reverses=reversed_transaction).exists():
        raise ValidationError({"reverses": _("Cette écriture a déjà été contrepassée.")})
    expected = sorted(
        (p.account.code, -p.amount_cents)
        for p in reversed_transaction.postings.select_related("account")
    )
    if sorted(postings) != expected:
        raise ValidationError(
            {"postings": _("Une contrepassation reprend exactement les lignes inversées.")}
        )


def movement_payload(movement) -> dict:
    """A register movement as the journal keeps it: member numbers, never names."""
    return {
        "number": movement.number,
        "kind": movement.kind,
        "date": movement.date.isoformat(),
        "member": movement.member.number,
        "counterpart": movement.counterpart.number if movement.counterpart_id else None,
        "quantity": movement.quantity,
        "share_value_cents": movement.share_value_cents,
        "corrects": movement.corrects.number if movement.corrects_id else None,
    }


class Transaction(AppendOnlyModel):
    """One balanced ledger transaction, numbered without gaps, never changed."""

    append_only_refusal = REVERSAL_INSTEAD

    number = models.PositiveBigIntegerField(_("n°"), unique=True, editable=False)
    date = models.DateField(_("date"))
    label = models.CharField(_("libellé"), max_length=300)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=100, unique=True)
    request_digest = models.CharField(max_length=64, editable=False)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("contrepasse l'écriture"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("écriture")
        verbose_name_plural = _("écritures")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="transaction_number_positive"),
            models.CheckConstraint(
                condition=~Q(reverses=models.F("pk")), name="transaction_reverses_another"
            ),
        ]
        indexes = [models.Index(fields=["date", "number"], name="transaction_date_number")]

    def __str__(self):
        return f"n°{self.number} {self.label}"

    @property
    def readable_label(self) -> str:
        """The label in the reader's language when the software wrote it, else as typed."""
        return readable(self.label)

    def reverse(
        self, label: str, *, idempotency_key: str, on=None, by=None, today=None
    ) -> "Transaction":
        """Book the exact opposite of this transaction, naming it as what it corrects."""
        postings = [
            (p.account.code, -p.amount_cents)
            for p in self.postings.select_related("account").order_by("pk")
        ]
        return Transaction.objects.record(
            on or timezone.localdate(),
            label,
            postings,
            idempotency_key=idempotency_key,
            by=by,
            reverses=self,
            today=today,
        )

    def attach_receipt(self, upload, by=None) -> "Receipt":
        """Keep an uploaded PDF, PNG or JPEG (10 MB at most) as this transaction's receipt."""
        content_type = receipt_type(upload)
        if content_type is None:
            raise ValidationError(
                {"receipt": _("Un justificatif est un fichier PDF, PNG ou JPEG.")}
            )
        if upload.size > RECEIPT_MAX_BYTES:
            raise ValidationError({"receipt": _("Un justificatif pèse 10 Mo au plus.")})
        receipt = Receipt(
            transaction=self,
            original_name=(upload.name or "justificatif")[-255:],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        receipt.file.save("receipt", upload, save=False)
        receipt.save()
        return receipt

    def journal_payload(self, postings) -> dict:
        # The label may name a person: only its digest is chained, so erasure keeps it valid.
        return {
            "number": self.number,
            "date": self.date.isoformat(),
            "label_sha256": hashlib.sha256(self.label.encode()).hexdigest(),
            "postings": [[code, cents] for code, cents in postings],
            "reverses": self.reverses.number if self.reverses_id else None,
        }


class Posting(AppendOnlyModel):
    """One line of a transaction: debit positive, credit negative, never zero."""

    append_only_refusal = REVERSAL_INSTEAD

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_cents = models.BigIntegerField(_("montant (centimes, débit positif)"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ligne d'écriture")
        verbose_name_plural = _("lignes d'écriture")
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_cents=0)
                & Q(amount_cents__gte=-MAX_AMOUNT_CENTS)
                & Q(amount_cents__lte=MAX_AMOUNT_CENTS),
                name="posting_amount_non_zero_and_bounded",
            )
        ]
        # A balance is an index-only sum over one account's postings.
        indexes = [
            models.Index(fields=["account", "transaction", "amount_cents"], name="posting_account")
        ]

    def __str__(self):
        return f"{self.account_id} {self.amount_cents}"


class JournalEntryQuerySet(AppendOnlyQuerySet):
    def append(self, books: Books, kind: str, ref: str, payload: dict) -> "JournalEntry":
        """Chain one entry after the head; `books` is the locked row, saved by the caller."""
        sequence = books.journal_length + 1
        payload_json = canonical_json(payload)
        entry = self.create(
            sequence=sequence,
            kind=kind,
            ref=ref,
            payload_json=payload_json,
            previous_hash=books.journal_head_hash,
            hash=entry_hash(sequence, kind, ref, json.loads(payload_json), books.journal_head_hash),
        )
        books.journal_length = sequence
        books.journal_head_hash = entry.hash
        return entry


class JournalEntry(AppendOnlyModel):
    """One link of the tamper-evident journal: a sequence, a canonical payload, two hashes."""

    append_only_refusal = REVERSAL_INSTEAD

    class Kind(models.TextChoices):
        TRANSACTION = "transaction", _("Écriture comptable")
        SHARE_MOVEMENT = "share_movement", _("Mouvement du registre")
        DECISION_OUTCOME = "decision_outcome", _("Issue d'une décision")
        RECURRING_INCOME = "recurring_income", _("Recette récurrente prévue")
        ASSEMBLY_RESOLUTION = "assembly_resolution", _("Issue d'une résolution d'assemblée")
        ASSEMBLY_MINUTES = "assembly_minutes", _("Procès-verbal d'assemblée arrêté")

    sequence = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=40)
    ref = models.CharField(max_length=100)
    payload_json = models.TextField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal chaîné")
        ordering = ["sequence"]
        constraints = [
            models.CheckConstraint(condition=Q(sequence__gte=1), name="journal_sequence_positive")
        ]

    def __str__(self):
        return f"{self.sequence} {self.kind} {self.ref}"


# One statement adds a transaction's lines to their months' totals, or starts them.
MONTHLY_TOTALS_UPSERT = """INSERT INTO ledger_monthlytotal
(account_id, month, debit_cents, credit_cents, "count") VALUES %(rows)s
ON CONFLICT (account_id, month) DO UPDATE SET
    debit_cents = ledger_monthlytotal.debit_cents + excluded.debit_cents,
    credit_cents = ledger_monthlytotal.credit_cents + excluded.credit_cents,
    "count" = ledger_monthlytotal."count" + excluded."count"
"""


class MonthlyTotalQuerySet(models.QuerySet):
    def add(self, date: datetime.date, lines) -> None:
        """Add one transaction's lines [(account, cents)]; called by record() under the lock."""
        month = date.replace(day=1)
        by_account: dict = {}
        for account, cents in lines:
            debit, credit, count = by_account.get(account.pk, (0, 0, 0))
            by_account[account.pk] = (
                debit + max(cents, 0),
                credit + max(-cents, 0),
                count + 1,
            )
        rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(by_account))
        month = connections[self.db].ops.adapt_datefield_value(month)
        values = [
            value
            for account_id, (debit, credit, count) in by_account.items()
            for value in (account_id, month, debit, credit, count)
        ]
        with connections[self.db].cursor() as cursor:
            cursor.execute(MONTHLY_TOTALS_UPSERT % {"rows": rows}, values)

    def computed(self):
        """The rows as the postings make them: (account id, month, debit, credit, count)."""
        from django.db.models.functions import TruncMonth

        sums = (
            Posting.objects.annotate(month=TruncMonth("transaction__date"))
            .values("account_id", "month")
            .annotate(
                debit=Sum("amount_cents", filter=Q(amount_cents__gt=0)),
                credit=Sum("amount_cents", filter=Q(amount_cents__lt=0)),
                lines=models.Count("pk"),
            )
            .order_by()
        )
        for row in sums.iterator(chunk_size=2000):
            yield (
                row["account_id"],
                row["month"],
                row["debit"] or 0,
                -(row["credit"] or 0),
                row["lines"],
            )

    def rebuild(self) -> int:
        """Recompute every row from the postings (after a restore, or to check); rows written."""
        with transaction.atomic():
            Books.locked()  # no posting may be booked between the sums and their rows
            self.all().delete()
            rows = [
                self.model(
                    account_id=account_id,
                    month=month,
                    debit_cents=debit,
                    credit_cents=credit,
                    count=count,
                )
                for account_id, month, debit, credit, count in self.computed()
            ]
            self.bulk_create(rows, batch_size=1000)
        return len(rows)

    def balances(self, *, until_year: int | None = None, year: int | None = None) -> dict:
        """{account id: balance in cents} (debit positive), over all time or one year."""
        rows = self.all()
        if year is not None:
            rows = rows.filter(month__year=year)
        if until_year is not None:
            rows = rows.filter(month__year__lte=until_year)
        sums = rows.values("account_id").annotate(
            debit=Sum("debit_cents"), credit=Sum("credit_cents")
        )
        return {row["account_id"]: row["debit"] - row["credit"] for row in sums.order_by()}

    def years(self) -> list[int]:
        """Every year with a transaction, newest first."""
        return sorted({day.year for day in self.dates("month", "year")}, reverse=True)

    def year_activity(self, year: int, accounts: list["Account"]) -> dict:
        """Income and spending of `year` by account and by month, the closing entry left out."""
        codes = {a.pk: a.code for a in accounts}
        rows = self.filter(month__year=year).values_list(
            "account_id", "month", "debit_cents", "credit_cents"
        )
        cells: dict[tuple[str, int], int] = {}
        for account_id, month, debit, credit in rows:
            code = codes[account_id]
            if code[:1] in ("6", "7"):
                cells[code, month.month] = cells.get((code, month.month), 0) + debit - credit
        closed = FiscalYear.objects.filter(year=year).values_list("closing_transaction", flat=True)
        closing_id = closed.first()
        if closing_id:
            # The close brings every account to zero in December: that is not the year's activity.
            for code, cents in Posting.objects.filter(transaction_id=closing_id).values_list(
                "account__code", "amount_cents"
            ):
                if code[:1] in ("6", "7"):
                    cells[code, 12] = cells.get((code, 12), 0) - cents
        income, spending = {}, {}
        income_months, spending_months = [0] * 12, [0] * 12
        for (code, month), cents in cells.items():
            if code[0] == "7":
                income[code] = income.get(code, 0) - cents
                income_months[month - 1] -= cents
            else:
                spending[code] = spending.get(code, 0) + cents
                spending_months[month - 1] += cents
        return {
            "income": {code: cents for code, cents in income.items() if cents},
            "spending": {code: cents for code, cents in spending.items() if cents},
            "income_months": income_months,
            "spending_months": spending_months,
            "income_total": sum(income.values()),
            "spending_total": sum(spending.values()),
        }


class MonthlyTotal(models.Model):
    """Derived: one account's debits, credits and lines in one month, summed from postings.

    Maintained by `Transaction.objects.record()` under the books' lock so that balances,
    charts and the public pages read a dozen rows a year instead of every posting. Unlike
    the books themselves it is updated in place; `MonthlyTotal.objects.rebuild()` recomputes
    it from the postings, which stay the truth.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="monthly_totals")
    month = models.DateField(_("mois (premier jour)"))
    debit_cents = models.BigIntegerField(default=0)
    credit_cents = models.BigIntegerField(default=0)
    count = models.PositiveBigIntegerField(default=0)

    objects = MonthlyTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("total mensuel")
        verbose_name_plural = _("totaux mensuels")
        ordering = ["month", "account"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="monthly_total_once"),
            models.CheckConstraint(
                condition=Q(debit_cents__gte=0) & Q(credit_cents__gte=0),
                name="monthly_total_sums_positive",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.month:%Y-%m} {self.debit_cents}/{self.credit_cents}"

    @property
    def balance_cents(self) -> int:
        return self.debit_cents - self.credit_cents


RECEIPT_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
RECEIPT_MAX_BYTES = 10 * 1024 * 1024


def receipt_type(upload) -> str | None:
    """The receipt's type read from its first bytes, never from its name or its headers."""
    found = uploads.content_type(upload, opendocument=False)
    return found if found in RECEIPT_TYPES else None


def receipt_path(instance, filename) -> str:
    # A random name: the file's own name may name a person and is kept in the row only.
    import uuid

    return f"receipts/{uuid.uuid4().hex}{RECEIPT_TYPES.get(instance.content_type, '')}"


class Receipt(models.Model):
    """A receipt (justificatif) attached to a transaction: seen by officers only."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("écriture")
    )
    file = models.FileField(_("fichier"), upload_to=receipt_path)
    original_name = personal(
        models.CharField(_("nom d'origine"), max_length=255),
        ACCOUNTING,
        Audience.OFFICERS,
        Erasure.RESTRICT,
    )
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("justificatif")
        verbose_name_plural = _("justificatifs")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=RECEIPT_MAX_BYTES), name="receipt_at_most_10_mb"
            )
        ]

    def __str__(self):
        return self.original_name


class FiscalYear(models.Model):
    """A closed fiscal year: its result, and the allocation the assembly decided."""

    year = models.PositiveIntegerField(_("exercice"), unique=True)
    closed_at = models.DateTimeField(_("clos le"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result_cents = models.BigIntegerField(_("résultat (centimes)"))
    # {account code: cents}, e.g. {"1061": 150000, "1068-DISPO": 700000, ...}
    allocation = not_personal(
        models.JSONField(_("affectation"), default=dict, blank=True),
        "the amounts of a year's allocation",
    )
    decision_reference = models.CharField(_("décision d'affectation"), max_length=300, blank=True)
    closing_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    allocation_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exercice clos")
        verbose_name_plural = _("exercices clos")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)
