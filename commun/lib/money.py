"""Money is an integer number of cents: how it is shown, and the one way it is read.

Every amount a person types (the web forms), a bank writes (the statement import) or a
program sends (the API's `*_cents`) is read here, exactly or not at all: at most two
decimals, never rounded; no exponent; only the digits 0 to 9; spaces to group thousands;
a comma or a point for the cents. The API takes cents as JSON integers only: not a
boolean, not a number with a fraction or an exponent, not a text.
"""

import re
from decimal import Decimal
from typing import Annotated

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

# A billion euros: far above any cooperative's single movement, far below BigInteger's limit.
MAX_AMOUNT_CENTS = 100_000_000_000

INVALID = _("Saisissez un montant en euros, par exemple 1250 ou 1 250,50.")
DECIMALS = _("Un montant a au plus deux décimales (les centimes) : il n'est jamais arrondi.")
EXPONENT = _("Écrivez le montant en chiffres, sans exposant (« 1e5 » n'est pas un montant).")
DIGITS = _("Écrivez le montant avec les chiffres 0 à 9.")
NEGATIVE = _("Un montant ne peut pas être négatif.")
NOT_POSITIVE = _("Le montant doit être supérieur à zéro.")
NIL = _("Le montant est nul.")
TOO_BIG = _("Ce montant dépasse la limite admise.")
NOT_CENTS = _(
    "Un montant est un nombre entier de centimes, par exemple 1250 pour 12,50 € "
    "(ni texte, ni booléen, ni nombre à virgule ou à exposant)."
)

# Spaces that group thousands: typed, or copied from a French page (no-break, narrow).
GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009")
MINUS = str.maketrans({"\u2212": "-"})  # a bank's or a word processor's minus sign
AMOUNT = re.compile(r"(?P<sign>[-+]?)(?P<units>[0-9]*)(?:[.,](?P<decimals>[0-9]*))?", re.ASCII)
MAX_TEXT = 40  # far longer than any amount; a longer text is not read at all


class AmountError(ValueError):
    """What was typed is not exactly an amount; `message` says why, in the reader's language."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def format_cents(cents: int | None, currency: str = "€") -> str:
    if cents is None:
        return ""
    value = Decimal(cents) / 100
    decimals = 0 if cents % 100 == 0 else 2
    amount = number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{amount}\u00a0{currency}"


def parse_euros(
    text: str,
    *,
    negative: bool = False,
    zero: bool = False,
    maximum: int = MAX_AMOUNT_CENTS,
) -> int:
    """'1 250,50' or '1250.5' → 125050 cents, or AmountError saying why not.

    Positive unless `negative` (a statement's money out) or `zero` (an allocation left
    empty) says otherwise; "-0" is zero.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise AmountError(INVALID)
    compact = text.strip().translate(GROUPING).translate(MINUS)
    found = AMOUNT.fullmatch(compact)
    if found is None or not (found["units"] or found["decimals"]):
        if any(c.isdigit() or c.isnumeric() for c in compact if not c.isascii()):
            raise AmountError(DIGITS)
        if re.fullmatch(r"[-+]?[0-9]*[.,]?[0-9]*[eE][-+]?[0-9]+", compact):
            raise AmountError(EXPONENT)
        raise AmountError(INVALID)
    decimals = found["decimals"] or ""
    if len(decimals) > 2:
        raise AmountError(DECIMALS)
    cents = int(found["units"] or "0") * 100 + int(decimals.ljust(2, "0"))
    if found["sign"] == "-":
        cents = -cents
    if cents == 0 and not zero:
        raise AmountError(NIL if negative else NOT_POSITIVE)
    if cents < 0 and not negative:
        raise AmountError(NEGATIVE)
    if abs(cents) > maximum:
        raise AmountError(TOO_BIG)
    return cents


class EurosField(forms.Field):
    """A form's amount in euros, typed as 2000, 2 000 or 2000,50, cleaned to cents.

    Positive by default; `zero=True` accepts 0, `negative=True` a negative amount.
    """

    def __init__(self, *, negative=False, zero=False, maximum=MAX_AMOUNT_CENTS, **kwargs):
        self.negative, self.zero, self.maximum = negative, zero, maximum
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("maxlength", "20")

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if text in self.empty_values:
            return None
        try:
            return parse_euros(text, negative=self.negative, zero=self.zero, maximum=self.maximum)
        except AmountError as refused:
            raise ValidationError(refused.message, code="invalid") from None


def is_whole_cents(value) -> bool:
    """Whether `value` may be an amount: a true integer, the one check every amount passes.

    bool is an int in Python, JSON's 1e5 or 12.0 a float that may hide a rounding, and a
    Decimal or a text is what the parser above is for: none of them is money.
    """
    return type(value) is int


def _whole_cents(value):
    if not is_whole_cents(value):
        raise PydanticCustomError("cents_type", str(NOT_CENTS))
    return value


def cents(**bounds):
    """The API's type for an amount in cents, bounded by `ge`, `gt`, `le` or `lt`.

    Bounds go here, not in the schema field's own `Field(...)`: there pydantic would
    apply them after the type check and publish them outside JSON Schema's words.
    """
    return Annotated[int, Field(strict=True, **bounds), BeforeValidator(_whole_cents)]


Cents = cents()  # any integer number of cents: the schema or the model bounds it
PositiveCents = cents(ge=1, le=MAX_AMOUNT_CENTS)  # what a booking may carry
