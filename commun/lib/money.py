"""Money is an integer number of cents; these helpers only format and parse it."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format


def format_cents(cents: int | None, currency: str = "€") -> str:
    if cents is None:
        return ""
    value = Decimal(cents) / 100
    decimals = 0 if cents % 100 == 0 else 2
    amount = number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{amount}\u00a0{currency}"


def parse_euros(text: str) -> int:
    """'12,50' or '12.50' → 1250; raises ValueError on anything else."""
    try:
        value = Decimal(str(text).replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
