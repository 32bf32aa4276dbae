"""The shape of every error the API answers (the handlers are in commun/api.py).

Apart from commun/api.py so that an app's router may name it without importing the API
that imports the router."""

from ninja import Field, Schema


class FieldError(Schema):
    loc: list[str | int] = Field(
        ..., description='Où : ["body", champ, …], ["query", paramètre] ou ["path", paramètre].'
    )
    msg: str
    type: str


class ErrorOut(Schema):
    detail: str | list[FieldError] = Field(
        ..., description="Le message ; pour une saisie refusée (422), une erreur par champ."
    )
