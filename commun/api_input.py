"""What the API accepts: the base of every input schema, and the check of query and path.

Every app's input schemas derive from `Input`, so a body field that is text, however deep
(a list of options, a ballot, a dict's keys), refuses control characters in one place.
Query and path parameters are checked by `refuse_control_characters_in_parameters`, which
commun/api.py wraps around every endpoint.
"""

from functools import wraps
from typing import Annotated

from ninja import Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from commun.lib.controls import CODE, MESSAGE, has_control


def _no_control(value):
    if has_control(value):
        raise PydanticCustomError(CODE, str(MESSAGE))
    return value


# An item of a list of texts: refused on its own place (`["body", "labels", 0]`), which
# `Input`'s check of the whole field would not name.
Text = Annotated[str, AfterValidator(_no_control)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_control_character(cls, value):
        return _no_control(value)


def refuse_control_characters_in_parameters(run):
    """An endpoint decorator: query and path parameters with a control character are a 422."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        found = [
            ["query", key]
            for key, values in request.GET.lists()
            if has_control(key) or has_control(values)
        ]
        match = request.resolver_match
        found += [
            ["path", name]
            for name, value in (match.kwargs if match else {}).items()
            if has_control(value)
        ]
        if found:
            raise NinjaValidationError(
                [{"loc": loc, "msg": str(MESSAGE), "type": CODE} for loc in found]
            )
        return run(request, *args, **kwargs)

    return wrapper
