"""API v1: one NinjaAPI, with a router per app (each app's `api.py`).

Every error answers JSON in the caller's language (Accept-Language, or `?lang=fr|en`):
`{"detail": "…"}`, or for invalid input `{"detail": [{"loc": [...], "msg": "…", "type": "…"}]}`
whether pydantic or a model's `full_clean()` refused it. The OpenAPI document lists these
errors on each operation from what the operation takes (`error_statuses`), not one by one.
"""

import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import (
    ImproperlyConfigured,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.schema import NinjaGenerateJsonSchema

from commun.api_auth import SAFE_METHODS, authenticated
from commun.api_input import refuse_control_characters_in_parameters
from commun.api_schemas import ErrorOut
from commun.core import busy

# pydantic's messages are English only: ours replace them, by pydantic's error type, and
# take their figures from its context (ge, le, max_length…).
INTEGER = gettext_lazy("Saisissez un nombre entier.")
BOOLEAN = gettext_lazy("Saisissez true ou false.")
DATE = gettext_lazy("Saisissez une date au format AAAA-MM-JJ.")
OBJECT = gettext_lazy("Saisissez un objet JSON.")
CHOICE = gettext_lazy("Valeur inconnue : choisissez parmi %(expected)s.")
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("Ce champ est obligatoire."),
    "extra_forbidden": gettext_lazy("Ce champ n'existe pas."),
    "int_parsing": INTEGER,
    "int_type": INTEGER,
    "int_from_float": INTEGER,
    "greater_than_equal": gettext_lazy("La valeur doit être supérieure ou égale à %(ge)s."),
    "greater_than": gettext_lazy("La valeur doit être supérieure à %(gt)s."),
    "less_than_equal": gettext_lazy("La valeur doit être inférieure ou égale à %(le)s."),
    "less_than": gettext_lazy("La valeur doit être inférieure à %(lt)s."),
    "string_type": gettext_lazy("Saisissez un texte."),
    "string_too_short": gettext_lazy(
        "Ce texte est trop court : %(min_length)s caractères au moins."
    ),
    "string_too_long": gettext_lazy("Ce texte ne doit pas dépasser %(max_length)s caractères."),
    "too_long": gettext_lazy("Cette liste ne doit pas dépasser %(max_length)s éléments."),
    "string_pattern_mismatch": gettext_lazy("Ce texte n'a pas la forme attendue."),
    "bool_parsing": BOOLEAN,
    "bool_type": BOOLEAN,
    "enum": CHOICE,
    "literal_error": CHOICE,
    "date_parsing": DATE,
    "date_from_datetime_parsing": DATE,
    "date_type": DATE,
    "list_type": gettext_lazy("Saisissez une liste."),
    "dict_type": OBJECT,
    "model_type": OBJECT,
    "model_attributes_type": OBJECT,
    "value_error": "%(error)s",
}


def translated(error: dict) -> str:
    message = PYDANTIC_MESSAGES.get(error["type"])
    if message is None:
        return error["msg"]
    ctx = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    # pydantic lists choices as "'a', 'b' or 'c'": that "or" would stay English.
    ctx["expected"] = ctx.get("expected", "").replace(" or ", ", ")
    return str(message) % ctx


# What each error means, as the handlers below answer it.
ERRORS = {
    400: "Le corps de la requête n'est pas du JSON valide (UTF-8).",
    401: "Authentification requise, ou jeton invalide ou révoqué (même là où le jeton est "
    "facultatif).",
    403: "Refusé : droits insuffisants, vérification CSRF (session), ou second facteur "
    "manquant (responsables).",
    404: "Introuvable, ou invisible pour l'appelant·e.",
    409: "En conflit avec l'état actuel : déjà fait, ou devancé par une autre requête.",
    413: "Le corps de la requête est trop volumineux.",
    422: "Saisie refusée : `detail` liste chaque champ en cause (`loc`) et pourquoi (`msg`).",
    429: "Trop de requêtes : réessayez plus tard.",
}
BODY_SOURCES = {"body", "form", "file"}


def error_statuses(operation) -> set[int]:
    """The errors any operation of this shape may answer, whatever its view does.

    A view that answers another one (a 404 without a path parameter, a 429) declares it in
    its `response=` with `ErrorOut`."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    has_body = bool(sources & BODY_SOURCES) or "requestBody" in (operation.openapi_extra or {})
    statuses = {401, 403}  # 401: a bad token; 403: CSRF, or an officer's missing factor
    if sources or has_body:
        statuses.add(422)
    if "path" in sources:
        statuses.add(404)
    if has_body:
        statuses |= {400, 413}
    if set(operation.methods) - SAFE_METHODS:
        statuses.add(409)  # a constraint caught a concurrent write (on_integrity_error)
    return statuses


class CommunOpenAPISchema(OpenAPISchema):
    """Ninja's document, with each operation's errors, optional tokens said so, and no two
    models silently sharing one name."""

    def add_schema_definitions(self, definitions: dict) -> None:
        # Ninja keeps the last of two same-named models: one endpoint would then document
        # another's body. Refuse it here, where a test sees it, rather than publish it.
        for name, definition in definitions.items():
            if self.schemas.get(name, definition) != definition:
                raise ImproperlyConfigured(
                    f"Two API schemas are named {name!r}: rename one of the classes."
                )
        super().add_schema_definitions(definitions)

    def responses(self, operation) -> dict:
        result = super().responses(operation)
        error = self.error_reference()
        for status in sorted(error_statuses(operation)):
            result.setdefault(
                status,
                {"description": ERRORS[status], "content": {"application/json": error}},
            )
        for status, details in result.items():
            if status in ERRORS and operation.response_models.get(status) is ErrorOut:
                details["description"] = ERRORS[status]
        return dict(sorted(result.items()))

    def error_reference(self) -> dict:
        schema = ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE,
            schema_generator=NinjaGenerateJsonSchema,
            mode="serialization",
        )
        self.add_schema_definitions({**schema.pop("$defs", {}), "ErrorOut": schema})
        return {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}

    def operation_security(self, operation):
        security = super().operation_security(operation)
        if security and all(getattr(auth, "optional", False) for auth in operation.auth_callbacks):
            return [{}, *security]  # OpenAPI's way to say "or no credential at all"
        return security


class CommunAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return CommunOpenAPISchema(self, path_prefix)

    def validation_error_from_error_contexts(self, error_contexts) -> NinjaValidationError:
        """Ninja's 422, with the body parameter's own name dropped and messages translated."""
        errors = []
        for context in error_contexts:
            single_body_param = getattr(context.model, "__read_from_single_attr__", None)
            for error in super().validation_error_from_error_contexts([context]).errors:
                loc = list(error["loc"])
                if single_body_param and loc[:2] == ["body", single_body_param]:
                    loc = ["body", *loc[2:]]
                errors.append({"loc": loc, "msg": translated(error), "type": error["type"]})
        return NinjaValidationError(errors)


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # readable French, sent as UTF-8


api = CommunAPI(
    title="Commun API",
    version="1",
    description=(
        "L'API de Commun : tout ce que fait l'interface web. Authentification par jeton "
        "personnel (`Authorization: Bearer cmn_…`, créé par `POST /tokens` ou sur le site) "
        "ou par la session du site (avec l'en-tête `X-CSRFToken` pour écrire). "
        "Erreurs en JSON, dans la langue de `Accept-Language` ou de `?lang=fr|en`."
    ),
    urls_namespace="api",
    auth=authenticated,  # public endpoints say so with `auth=public`
    renderer=Renderer(),
    # Our own static copy of Swagger UI; no validator badge, which would call another host.
    # No deep links: they put a link inside each operation's button (nested controls).
    # The page itself is commun/templates/ninja/swagger.html (language, contrast).
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": False}),
)


def _in_requested_language(run):
    """`?lang=en` beats Accept-Language: handy from a terminal or a browser's address bar."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        lang = request.GET.get("lang", "")
        if lang not in dict(settings.LANGUAGES):
            return run(request, *args, **kwargs)
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = run(request, *args, **kwargs)
        # LocaleMiddleware would otherwise label it with the negotiated language.
        response["Content-Language"] = lang
        return response

    return wrapper


api.add_decorator(_in_requested_language, mode="view")
# After authentication and the parameters' own checks: a body is checked by `Input`.
api.add_decorator(refuse_control_characters_in_parameters, mode="operation")


def error_list(error: DjangoValidationError) -> list[dict]:
    """A model's ValidationError in the shape of ninja's 422: one entry per message."""
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return [
        {
            "loc": ["body"] if field == "__all__" else ["body", field],
            "msg": str(message),
            "type": "validation_error",
        }
        for field, messages in fields.items()
        for message in messages
    ]


def detail(request, message, status: int, **headers):
    response = api.create_response(request, {"detail": str(message)}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc):
    return api.create_response(request, {"detail": error_list(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def on_ninja_validation_error(request, exc):
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return detail(request, str(exc) or _("Vous n'avez pas le droit de faire cela."), 403)


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request, exc):
    return detail(request, _("Introuvable."), 404)


@api.exception_handler(IntegrityError)
def on_integrity_error(request, exc):
    # A database constraint caught what a concurrent request slipped past the checks.
    return detail(
        request, _("Cette opération entre en conflit avec l'état actuel : réessayez."), 409
    )


@api.exception_handler(OperationalError)
def on_operational_error(request, exc):
    if not busy.is_busy(exc):
        raise exc
    return detail(request, busy.busy_message(), 503, Retry_After=str(busy.RETRY_AFTER_SECONDS))


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request, exc):
    return detail(request, _("Le corps de la requête est trop volumineux."), 413)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        message = _(
            "Le corps de la requête n'est pas du JSON valide (ligne %(line)s, colonne "
            "%(column)s) : %(error)s."
        ) % {"line": cause.lineno, "column": cause.colno, "error": cause.msg}
        return detail(request, message, 400)
    if exc.status_code == 400 and cause is not None:
        return detail(request, _("Le corps de la requête n'est pas du JSON valide (UTF-8)."), 400)
    if isinstance(exc, AuthenticationError):
        message = exc.message
        if message == "Unauthorized":  # ninja's own, when no credential was sent
            message = _(
                "Authentification requise : envoyez un jeton d'API (Authorization: Bearer …)."
            )
        return detail(request, message, 401, WWW_Authenticate='Bearer realm="commun"')
    return detail(request, exc.message, exc.status_code)


from commun.accounts.api import router as tokens_router  # noqa: E402
from commun.deliberation.api import router as deliberation_router  # noqa: E402
from commun.members.api import router as members_router  # noqa: E402

api.add_router("", members_router)
api.add_router("", tokens_router)
api.add_router("", deliberation_router)
api.add_router("", "commun.decisions.api.router")
api.add_router("", "commun.budgets.api.router")
api.add_router("", "commun.board.api.router")
api.add_router("", "commun.ledger.api.router")
api.add_router("", "commun.ledger.export_api.router")
api.add_router("", "commun.upstream.api.router")
api.add_router("", "commun.privacy.api.router")
api.add_router("", "commun.feeds.api.router")
api.add_router("", "commun.hooks.api.router")
# Before the assemblies' router: /assemblies/register is not an assembly's id.
api.add_router("", "commun.assemblies.minutes_api.router")
api.add_router("", "commun.assemblies.picker.router")
api.add_router("", "commun.assemblies.box.router")
api.add_router("", "commun.assemblies.api.router")
