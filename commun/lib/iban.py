"""IBAN: normalised and checked (ISO 13616 mod-97) before a repayment or a payment uses it."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def normalise_iban(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_iban(value: str) -> None:
    iban = normalise_iban(value)
    if not iban:
        return
    if not IBAN_SHAPE.match(iban):
        raise ValidationError(_("Cet IBAN n'a pas la forme attendue (ex. FR76 3000 …)."))
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        raise ValidationError(_("Cet IBAN est invalide : sa clé de contrôle ne correspond pas."))
