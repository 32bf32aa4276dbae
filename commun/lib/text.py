"""A person's text as every model takes it: trimmed, required, and not too long.

Control characters are refused earlier, at the edge (`commun/lib/controls.py`).
"""

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _


def clean_text(value, field: str, required, max_length: int, errors: dict | None = None) -> str:
    """`value` trimmed; empty or longer than `max_length`, a ValidationError on `field`.

    `required` is the message an empty text reads; None when the text may be left empty.

    Given `errors`, a model gathering all its refusals at once, the first one on `field` is
    recorded there instead and the trimmed text returned.
    """
    value = (value or "").strip()
    if not value:
        if required is None:
            return value
        refusal = required
    elif len(value) > max_length:
        limit = number_format(max_length, force_grouping=True)
        refusal = _("Ce texte ne doit pas dépasser %(max)s caractères.") % {"max": limit}
    else:
        return value
    if errors is None:
        raise ValidationError({field: refusal})
    errors.setdefault(field, refusal)
    return value
