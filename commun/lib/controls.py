"""Text from outside is checked once, at the edge: no NUL nor other control character.

PostgreSQL cannot store a NUL (a 500 where a field error was due), and the other control
characters (bell, escape, C1 codes…) are never meant in a name, a label or a comment: they
only hide text or garble a terminal. Tab, newline and carriage return stay allowed.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# Unicode's "Cc" category (C0, DEL and C1) but \t, \n and \r.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MESSAGE = _("Ce texte contient un caractère de contrôle interdit.")
CODE = "control_character"


def has_control(value) -> bool:
    """Whether `value`, or any text inside it (lists, dicts and their keys), has one."""
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(has_control(key) or has_control(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_control(item) for item in value)
    return False


def refuse_control_characters(value):
    """A Django validator, for form and model fields."""
    if has_control(value):
        raise ValidationError(MESSAGE, code=CODE)


class RefusesControlCharacters:
    """A form mixin: every text field of the form refuses control characters.

    Django's own CharField only refuses NUL; choice and other fields refuse none.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Ours covers NUL too: one message, not Django's and ours.
            field.validators = [
                *(
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ),
                refuse_control_characters,
            ]
