"""What personal data Commun keeps, why, on what legal basis, for how long, seen by whom.

Every model field holding personal data says so where it is defined:

    phone = personal(
        models.CharField(_("téléphone"), max_length=30, blank=True),
        MEMBERSHIP, Audience.OFFICERS, Erasure.ERASE,
    )

The field names a processing *activity* (below: its purpose, legal basis, retention and
recipients), who may see the value, and what erasing the person's account does to it.
The GDPR record of processing (art. 30) and the public privacy page are generated from
these declarations, and a test fails when a field that looks personal declares nothing.
Fields of other packages' models (allauth, sessions, tasks) are declared in
`THIRD_PARTY` here, since their code is not ours to annotate.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """Article 6 of the GDPR: why processing is lawful."""

    CONTRACT = "contract", _("exécution du contrat de société (les statuts)")
    PRE_CONTRACT = "pre_contract", _("mesures précontractuelles (la candidature)")
    LEGAL_OBLIGATION = "legal_obligation", _("obligation légale")
    LEGITIMATE_INTEREST = "legitimate_interest", _("intérêt légitime de la coopérative")
    CONSENT = "consent", _("consentement de la personne")


class Audience(models.TextChoices):
    """Who may read the value, besides the person themselves."""

    PUBLIC = (
        "public",
        _("tout le monde : la charte veut les missions et leur rémunération publiques"),
    )
    PUBLIC_BY_CHOICE = "public_by_choice", _("public ou associé·es, selon le choix de la personne")
    SPACE = "space", _("les lecteurs de l'espace où elle est écrite")
    MEMBERS = "members", _("les associé·es")
    ADMISSION = (
        "admission",
        _("les responsables, et les associé·es quand l'admission se fait par leur consentement"),
    )
    OFFICERS = "officers", _("les responsables juridiques")
    NOBODY = "nobody", _("personne : la personne seule, ou le serveur")


class Erasure(models.TextChoices):
    """What the erasure of a person's account does to the value."""

    ERASE = "erase", _("effacé")
    PSEUDONYMISE = "pseudonymise", _("conservé sans nom (attribué à un pseudonyme)")
    RESTRICT = (
        "restrict",
        _("conservé en accès restreint aux responsables jusqu'à la fin du délai légal"),
    )


# What an erased value becomes where the database needs one (erasure and retention write them).
ERASED_EMAIL = "efface-{pk}@commun.invalid"  # .invalid never delivers (RFC 2606)
ERASED_TEXT = "—"  # where the database asks for a text (a refusal's reason), none is kept


@dataclass(frozen=True)
class Activity:
    """One processing activity of the record (GDPR art. 30)."""

    key: str
    name: Promise
    purpose: Promise
    basis: Basis
    retention: Promise
    recipients: Promise
    # Retention as a number, for the purge job: years after the person leaves (None: until
    # the person erases their account, or while the cooperative needs it, as `retention` says).
    retention_years: int | None = None


REGISTER = Activity(
    "register",
    _("Registre des associé·es et des parts"),
    _("Tenir le registre légal des associé·es, de leurs parts et des remboursements."),
    Basis.LEGAL_OBLIGATION,
    _("10 ans après la sortie de l'associé·e, puis effacé."),
    _("les responsables juridiques ; l'administration sur demande"),
    retention_years=10,
)
MEMBERSHIP = Activity(
    "membership",
    _("Vie coopérative"),
    _("Se présenter aux autres associé·es, être joint·e par les responsables."),
    Basis.CONTRACT,
    _("Tant que la personne est associée ; effacé à sa demande ou à la suppression du compte."),
    _(
        "les associé·es pour la présentation, le public pour le pseudonyme si la personne le "
        "choisit, les responsables pour le téléphone"
    ),
)
APPLICATIONS = Activity(
    "applications",
    _("Candidatures"),
    _("Étudier une candidature et y répondre."),
    Basis.PRE_CONTRACT,
    _(
        "Refusée ou retirée : effacée 1 an après la décision. Admise : gardée avec la fiche "
        "d'associé·e, effacée à la suppression du compte."
    ),
    _(
        "les responsables juridiques, et les associé·es appelé·es à consentir quand "
        "l'admission se fait par décision"
    ),
    retention_years=1,
)
ACCOUNTS = Activity(
    "accounts",
    _("Comptes et sécurité"),
    _("Se connecter, protéger le compte (second facteur), accéder à l'API."),
    Basis.CONTRACT,
    _("Jusqu'à la suppression du compte ; les sessions expirent après 2 semaines."),
    _("personne d'autre que la personne"),
)
DELIBERATION = Activity(
    "deliberation",
    _("Délibération et décisions"),
    _("Discuter, proposer, consentir ou objecter, voter, et garder la trace des décisions."),
    Basis.CONTRACT,
    _(
        "Aussi longtemps que la coopérative garde ses décisions ; à la suppression du compte, "
        "les contributions restent, attribuées à un pseudonyme."
    ),
    _("les lecteurs de l'espace de discussion ou de la décision"),
)
NOTIFICATIONS = Activity(
    "notifications",
    _("Notifications"),
    _("Prévenir par e-mail de ce qui concerne la personne, selon ses préférences."),
    Basis.CONTRACT,
    _("Les e-mails en attente d'envoi sont effacés 30 jours après leur envoi."),
    _("le serveur d'envoi d'e-mails de la coopérative"),
)
BUDGETS = Activity(
    "budgets",
    _("Besoins, missions et rémunérations"),
    _(
        "Proposer des missions, la rémunération demandée, et les payer en toute transparence, "
        "comme la charte le demande."
    ),
    Basis.CONTRACT,
    _("10 ans (pièces comptables), puis effacé ; le montant reste public, sans nom."),
    _("le public pour les missions et leur rémunération ; les responsables pour les pièces"),
    retention_years=10,
)
ACCOUNTING = Activity(
    "accounting",
    _("Comptabilité"),
    _("Tenir les comptes de la coopérative et leurs pièces justificatives."),
    Basis.LEGAL_OBLIGATION,
    _("10 ans à compter de la clôture de l'exercice, puis effacé."),
    _("les responsables juridiques, l'expert-comptable, l'administration sur demande"),
    retention_years=10,
)
ACTIVITIES = [
    REGISTER,
    MEMBERSHIP,
    APPLICATIONS,
    ACCOUNTS,
    DELIBERATION,
    NOTIFICATIONS,
    BUDGETS,
    ACCOUNTING,
]


@dataclass(frozen=True)
class Declared:
    activity: Activity
    visibility: Audience
    erasure: Erasure
    # How the record names a field of another package, whose verbose names are not ours.
    name: Promise | None = None
    model_name: Promise | None = None


def personal(field: models.Field, activity: Activity, visibility: Audience, erasure: Erasure):
    """Declare, next to a model field, that it holds personal data and how it is treated."""
    field.personal_data = Declared(activity, visibility, erasure)
    return field


def redeclared(field: models.Field, activity: Activity, visibility: Audience, erasure: Erasure):
    """A copy of an inherited field declared anew: the same data, processed for another purpose."""
    return personal(field.clone(), activity, visibility, erasure)


def not_personal(field: models.Field, why: str):
    """Say, next to a field that looks personal, why it is not (read by the completeness test)."""
    field.not_personal = why
    return field


# Fields of models that are not ours: "app_label.Model.field" → declaration, named in words.
THIRD_PARTY = {
    "account.EmailAddress.email": Declared(
        ACCOUNTS,
        Audience.OFFICERS,
        Erasure.ERASE,
        _("adresse e-mail de connexion"),
        _("compte"),
    ),
    "mfa.Authenticator.data": Declared(
        ACCOUNTS, Audience.NOBODY, Erasure.ERASE, _("clé du second facteur"), _("compte")
    ),
    "sessions.Session.session_data": Declared(
        ACCOUNTS, Audience.NOBODY, Erasure.ERASE, _("données de session"), _("session de connexion")
    ),
    "django_tasks_database.DBTaskResult.args_kwargs": Declared(
        NOTIFICATIONS,
        Audience.NOBODY,
        Erasure.ERASE,
        _("destinataires et texte de l'e-mail"),
        _("e-mail en attente ou envoyé"),
    ),
    "django_tasks_database.DBTaskResult.return_value": Declared(
        NOTIFICATIONS,
        Audience.NOBODY,
        Erasure.ERASE,
        _("résultat de l'envoi"),
        _("e-mail en attente ou envoyé"),
    ),
    "admin.LogEntry.object_repr": Declared(
        ACCOUNTS,
        Audience.OFFICERS,
        Erasure.ERASE,
        _("objet modifié"),
        _("historique de l'administration"),
    ),
    "admin.LogEntry.change_message": Declared(
        ACCOUNTS,
        Audience.OFFICERS,
        Erasure.ERASE,
        _("modification faite"),
        _("historique de l'administration"),
    ),
}


# Fields of other packages' models that look personal and are not.
THIRD_PARTY_NOT_PERSONAL = {
    "admin.LogEntry.object_id": "the primary key of the changed row",
}


def declaration(field: models.Field) -> Declared | None:
    found = getattr(field, "personal_data", None)
    if found is None:
        label = f"{field.model._meta.label}.{field.name}"
        found = THIRD_PARTY.get(label)
    return found


@dataclass(frozen=True)
class DeclaredField:
    model: type[models.Model]
    field: models.Field
    declared: Declared

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def name(self):
        return self.declared.name or self.field.verbose_name

    @property
    def model_name(self):
        return self.declared.model_name or self.model._meta.verbose_name


@cache
def declared_fields() -> tuple[DeclaredField, ...]:
    """Every declared field of every installed model, in a stable order.

    Declarations are code: read once per process, not on each privacy page.
    """
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            declared = declaration(field)
            if declared is not None:
                found.append(DeclaredField(model, field, declared))
    return tuple(sorted(found, key=lambda d: d.label))


def record_of_processing() -> list[tuple[Activity, list[DeclaredField]]]:
    """The activities, each with the fields it processes (activities with none are left out)."""
    by_activity = defaultdict(list)
    for item in declared_fields():
        by_activity[item.declared.activity.key].append(item)
    return [(a, by_activity[a.key]) for a in ACTIVITIES if by_activity[a.key]]


def record_rows() -> list[tuple[Activity, list[dict]]]:
    """The record as people read it: per activity, one row per field, in words.

    The officers' record (page, PDF, CSV) and the public privacy page both show these rows.
    """
    return [
        (
            activity,
            [
                {
                    "field": str(item.name),
                    "model": str(item.model_name),
                    "audience": item.declared.visibility.label,
                    "erasure": item.declared.erasure.label,
                }
                for item in items
            ],
        )
        for activity, items in record_of_processing()
    ]
