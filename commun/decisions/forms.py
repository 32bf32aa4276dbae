"""The decision forms: they parse and bound the input; the models hold the rules.

Field names follow the keys of the models' ValidationError, so that an error the model
raises lands on the field it is about (`commun.lib.forms.add_model_errors`).
"""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commun.decisions.models import (
    MAX_BODY_LENGTH,
    MAX_TITLE_LENGTH,
    Decision,
    Stance,
)
from commun.deliberation.forms import NoLabelSuffix
from commun.deliberation.models import Circle, Space
from commun.members.models import College, Member

__all__ = [
    "AdviceDecisionForm",
    "AdviceForm",
    "AmendForm",
    "CastingVoteForm",
    "CloseForm",
    "DismissForm",
    "ProposalForm",
    "RegisterFilter",
    "StanceForm",
    "WithdrawForm",
]

MARKDOWN_HELP = _("Markdown accepté : titres, listes, liens, emphase.")
CHOOSE = _("Choisissez parmi les options proposées.")
UNKNOWN_OPTION = _("Une option de ce bulletin n'existe pas dans ce vote.")
MAX_DELIBERATION_DAYS = 365


def _text(label, *, required=None, rows=6, help_text=""):
    """A Markdown or plain text area; `required` is the message when it is left empty."""
    messages = {"max_length": _("Ce texte ne doit pas dépasser %(limit_value)s caractères.")}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=MAX_BODY_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
    )


def _title_field():
    return forms.CharField(
        label=_("Titre"),
        max_length=MAX_TITLE_LENGTH,
        error_messages={
            "required": _("Donnez un titre à la proposition."),
            "max_length": _("Le titre est trop long (200 caractères au plus)."),
        },
    )


def _review_field():
    return forms.DateField(
        label=_("Date de révision"),
        required=False,
        help_text=_(
            "Quand reconsidérer cette décision (facultatif) : l'auteur·ice en sera averti·e."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide.")},
    )


class ProposalForm(NoLabelSuffix):
    """A new proposal, saved as a draft; who decides defaults to the thread's space."""

    kind = forms.ChoiceField(
        label=_("Comment décider ?"),
        choices=Decision.Kind.choices,
        initial=Decision.Kind.CONSENT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez un mode de décision."), "invalid_choice": CHOOSE},
    )
    is_secret = forms.BooleanField(
        label=_("Scrutin secret"),
        required=False,
        help_text=_(
            "Pour un vote seulement (une élection, par exemple) : chacun·e vote une fois, "
            "reçoit un reçu, et le résultat reste caché jusqu'à la clôture."
        ),
    )
    title = _title_field()
    body = _text(
        _("La proposition"),
        rows=10,
        help_text=MARKDOWN_HELP,
        required=_("Écrivez la proposition."),
    )
    scope = forms.ChoiceField(
        label=_("Qui décide ?"),
        choices=Decision.Scope.choices,
        initial=Decision.Scope.COOPERATIVE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez qui décide."), "invalid_choice": CHOOSE},
    )
    colleges = forms.ModelMultipleChoiceField(
        label=_("Collèges appelés à décider"),
        queryset=College.objects.order_by("position", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Si certains collèges décident."),
        error_messages={
            "invalid_choice": _("Ce collège n'existe pas."),
            "invalid_pk_value": CHOOSE,
        },
    )
    circle = forms.ModelChoiceField(
        label=_("Cercle appelé à décider"),
        queryset=Circle.objects.order_by("name"),
        required=False,
        empty_label=_("— aucun —"),
        help_text=_("Si un cercle de travail décide."),
        error_messages={"invalid_choice": _("Ce cercle n'existe pas.")},
    )
    visibility = forms.ChoiceField(
        label=_("Qui peut lire la décision ?"),
        choices=Decision.Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une visibilité."), "invalid_choice": CHOOSE},
    )
    min_deliberation = forms.IntegerField(
        label=_("Durée minimale de délibération (en jours)"),
        min_value=0,
        max_value=MAX_DELIBERATION_DAYS,
        initial=7,
        help_text=_("Rien ne peut être décidé avant ce délai, compté depuis l'ouverture."),
        error_messages={
            "required": _("Indiquez une durée minimale de délibération."),
            "invalid": _("Saisissez un nombre entier de jours."),
            "min_value": _("La durée ne peut pas être négative."),
            "max_value": _("Une délibération dure au plus un an."),
        },
    )
    closes_at = forms.DateTimeField(
        label=_("Échéance"),
        required=False,
        help_text=_("Après cette date, la décision est close avec ce qui a été exprimé."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Saisissez une date et une heure valides.")},
    )
    options = _text(
        _("Options du vote, une par ligne"),
        rows=5,
        help_text=_("Pour un vote par approbation, par classement ou une répartition de points."),
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum de participation (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("Part des personnes appelées à voter qui doit avoir voté (0 : aucun quorum)."),
        error_messages={
            "required": _("Le quorum est un pourcentage entre 0 et 100."),
            "invalid": _("Le quorum est un pourcentage entre 0 et 100."),
            "min_value": _("Le quorum est un pourcentage entre 0 et 100."),
            "max_value": _("Le quorum est un pourcentage entre 0 et 100."),
        },
    )
    threshold = forms.ChoiceField(
        label=_("Seuil d'adoption (vote pour / contre)"),
        choices=Decision.Threshold.choices,
        initial=Decision.Threshold.MAJORITY,
        error_messages={"invalid_choice": CHOOSE},
    )
    tie_rule = forms.ChoiceField(
        label=_("En cas d'égalité"),
        choices=Decision.TieRule.choices,
        initial=Decision.TieRule.NEW_ROUND,
        required=False,
        help_text=_("Une égalité n'adopte rien : voici ce qui la départage."),
        error_messages={"invalid_choice": CHOOSE},
    )
    weighted_by_college = forms.BooleanField(
        label=_("Pondérer le résultat par collège"),
        required=False,
        help_text=_("Vote pour / contre : chaque collège compte selon son poids statutaire."),
    )
    points_per_voter = forms.IntegerField(
        label=_("Points par votant·e (répartition de points)"),
        min_value=1,
        max_value=1_000_000,
        initial=100,
        error_messages={
            "required": _("Chaque votant·e reçoit au moins un point."),
            "invalid": _("Saisissez un nombre entier de points."),
            "min_value": _("Chaque votant·e reçoit au moins un point."),
            "max_value": _("Un million de points au plus."),
        },
    )
    advisors = forms.CharField(
        label=_("Personnes dont vous sollicitez l'avis"),
        required=False,
        max_length=2000,
        help_text=_(
            "Pour une sollicitation d'avis : leurs numéros d'associé·e, séparés par des "
            "virgules (ex. 3, 12, 40)."
        ),
    )

    def __init__(self, *args, space: Space | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if space is not None and not self.is_bound:
            self.initial["visibility"] = (
                Decision.Visibility.PUBLIC
                if space.visibility == Space.Visibility.PUBLIC
                else Decision.Visibility.MEMBERS
            )
            if space.kind == Space.Kind.COLLEGE:
                self.initial["scope"] = Decision.Scope.COLLEGES
                self.initial["colleges"] = [space.college_id]
            elif space.kind == Space.Kind.CIRCLE:
                self.initial["scope"] = Decision.Scope.CIRCLE
                self.initial["circle"] = space.circle_id
        if not self.is_bound:
            self.initial.setdefault("visibility", Decision.Visibility.PUBLIC)
            closes = timezone.localtime() + datetime.timedelta(days=21)
            self.initial["closes_at"] = closes.replace(second=0, microsecond=0)

    def clean_tie_rule(self) -> str:
        return self.cleaned_data["tie_rule"] or Decision.TieRule.NEW_ROUND

    def clean_min_deliberation(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.cleaned_data["min_deliberation"])

    def clean_options(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        return [line for line in lines if line]

    def clean_advisors(self) -> list[Member]:
        text = self.cleaned_data["advisors"]
        tokens = [t for t in re.split(r"[\s,;]+", text.replace("n°", " ")) if t]
        if any(not t.isdigit() or len(t) > 12 for t in tokens):
            raise forms.ValidationError(
                _("Saisissez des numéros d'associé·e, séparés par des virgules.")
            )
        numbers = list(dict.fromkeys(int(t) for t in tokens))
        found = {m.number: m for m in Member.objects.active().filter(number__in=numbers)}
        missing = [str(n) for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("Aucun·e associé·e actif·ve ne porte ce numéro : %(numbers)s.")
                % {"numbers": ", ".join(missing)}
            )
        return [found[n] for n in numbers]

    def proposal(self) -> dict:
        """The keyword arguments of `Decision.objects.propose`, from the cleaned data."""
        data = dict(self.cleaned_data)
        data["colleges"] = list(data["colleges"])
        return data


class AmendForm(NoLabelSuffix):
    title = _title_field()
    body = _text(
        _("La proposition"), rows=10, help_text=MARKDOWN_HELP, required=_("Écrivez la proposition.")
    )
    note = forms.CharField(
        label=_("Ce qui change"),
        required=False,
        max_length=500,
        help_text=_("Une phrase pour les personnes qui ont lu la version précédente."),
        error_messages={"max_length": _("Résumez le changement en 500 caractères au plus.")},
    )
    integrates = forms.TypedMultipleChoiceField(
        label=_("Objections que cette version intègre"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "Seules les objections encore ouvertes de cette décision s'intègrent."
            )
        },
    )

    def __init__(self, *args, objections=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Kept without choices too: a forged objection id is then refused, not ignored.
        self.fields["integrates"].choices = [
            (o.pk, getattr(o, "label", None) or o.reason[:120]) for o in objections
        ]


class StanceForm(NoLabelSuffix):
    """One's stance or vote; its fields depend on the kind of decision and its options."""

    CONSENT_CHOICES = [
        Stance.Choice.CONSENT,
        Stance.Choice.CONCERN,
        Stance.Choice.OBJECTION,
        Stance.Choice.STAND_ASIDE,
    ]
    YES_NO_CHOICES = [Stance.Choice.YES, Stance.Choice.NO, Stance.Choice.ABSTAIN]

    def __init__(self, *args, decision: Decision, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.option_list = list(options)
        kind = decision.kind
        if kind == Decision.Kind.CONSENT:
            self.fields["choice"] = self._choice(
                _("Votre position"),
                self.CONSENT_CHOICES,
                _(
                    "Choisissez : consentir, consentir avec une réserve, objecter "
                    "ou vous mettre en retrait."
                ),
            )
            self.fields["reason"] = _text(
                _("Pourquoi ? (obligatoire pour une objection)"),
                required=False,
                rows=4,
                help_text=_(
                    "Une objection dit en quoi la proposition nuirait à la coopérative ; "
                    "une réserve, ce qui vous inquiète sans vous bloquer."
                ),
            )
        elif kind == Decision.Kind.YES_NO:
            self.fields["choice"] = self._choice(
                _("Votre vote"), self.YES_NO_CHOICES, _("Choisissez : pour, contre ou abstention.")
            )
        elif kind == Decision.Kind.APPROVAL:
            self.fields["ballot"] = forms.TypedMultipleChoiceField(
                label=_("Les options que vous approuvez"),
                required=False,
                coerce=int,
                choices=[(o.pk, o.label) for o in self.option_list],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Cochez toutes celles qui vous conviennent."),
                error_messages={"invalid_choice": UNKNOWN_OPTION},
            )
        elif kind == Decision.Kind.RANKED:
            ranks = [("", _("non classée"))] + [(n, n) for n in range(1, len(self.option_list) + 1)]
            for option in self.option_list:
                self.fields[f"rank-{option.pk}"] = forms.TypedChoiceField(
                    label=option.label,
                    choices=ranks,
                    coerce=int,
                    required=False,
                    empty_value=None,
                    error_messages={"invalid_choice": _("Choisissez un rang dans la liste.")},
                )
        elif kind == Decision.Kind.SCORE:
            for option in self.option_list:
                self.fields[f"points-{option.pk}"] = forms.IntegerField(
                    label=option.label,
                    required=False,
                    min_value=0,
                    max_value=decision.points_per_voter,
                    error_messages={
                        "invalid": _("Saisissez un nombre entier de points."),
                        "min_value": _("Les points sont des nombres entiers positifs."),
                        "max_value": _("Vous avez %(limit_value)s points au plus."),
                    },
                )

    @staticmethod
    def _choice(label, choices, required_message):
        return forms.ChoiceField(
            label=label,
            choices=[(c.value, c.label) for c in choices],
            widget=forms.RadioSelect,
            error_messages={"required": required_message, "invalid_choice": required_message},
        )

    @classmethod
    def initial_from(cls, decision: Decision, stance) -> dict:
        """The form's initial values from one's current stance, to show it preselected."""
        if stance is None:
            return {}
        if decision.kind in (Decision.Kind.CONSENT, Decision.Kind.YES_NO):
            return {"choice": stance.choice, "reason": stance.reason}
        ballot = stance.ballot
        if decision.kind == Decision.Kind.APPROVAL:
            return {"ballot": list(ballot or [])}
        if decision.kind == Decision.Kind.RANKED:
            return {
                f"rank-{pk}": rank
                for rank, group in enumerate(ballot or [], start=1)
                for pk in group
            }
        return {f"points-{pk}": points for pk, points in (ballot or {}).items()}

    @property
    def option_fields(self):
        """The ranked or score fields, in the options' order."""
        return [f for f in self if f.name.startswith(("rank-", "points-"))]

    def clean(self):
        data = super().clean()
        ranked = self.decision.kind == Decision.Kind.RANKED and not self.errors
        if ranked and not any(data.get(f"rank-{o.pk}") for o in self.option_list):
            raise forms.ValidationError(_("Classez au moins une option."))
        return data

    def stance(self) -> tuple[str, str, object]:
        """(choice, reason, ballot) as `Round.take_stance` takes them."""
        data = self.cleaned_data
        kind = self.decision.kind
        if kind in (Decision.Kind.CONSENT, Decision.Kind.YES_NO):
            return data["choice"], data.get("reason", ""), None
        if kind == Decision.Kind.APPROVAL:
            return Stance.Choice.BALLOT, "", data["ballot"]
        if kind == Decision.Kind.RANKED:
            groups: dict[int, list[int]] = {}
            for option in self.option_list:
                rank = data.get(f"rank-{option.pk}")
                if rank:
                    groups.setdefault(rank, []).append(option.pk)
            return Stance.Choice.BALLOT, "", [groups[rank] for rank in sorted(groups)]
        points = {}
        for option in self.option_list:
            given = data.get(f"points-{option.pk}")
            if given:
                points[option.pk] = given
        return Stance.Choice.BALLOT, "", points

    def secret_content(self):
        """What `Round.cast_secret_ballot` takes: the choice of a yes / no, else the ballot."""
        choice, _reason, ballot = self.stance()
        return choice if self.decision.kind == Decision.Kind.YES_NO else ballot


class DismissForm(NoLabelSuffix):
    status_note = _text(
        _("Pourquoi n'est-ce pas une objection ?"),
        rows=3,
        help_text=_("La personne qui l'a soulevée lira votre explication."),
    )


class WithdrawForm(NoLabelSuffix):
    statement = _text(_("Pourquoi retirer la proposition ? (facultatif)"), rows=3)


class CloseForm(NoLabelSuffix):
    statement = _text(
        _("Énoncé de la décision"),
        rows=4,
        help_text=_("Ce qui est décidé, en quelques phrases ; il figurera au registre."),
    )
    review_on = _review_field()


class AdviceForm(NoLabelSuffix):
    advice = _text(
        _("Votre avis"), rows=5, help_text=MARKDOWN_HELP, required=_("Écrivez votre avis.")
    )


class AdviceDecisionForm(NoLabelSuffix):
    statement = _text(
        _("Ce que vous décidez, et pourquoi"),
        rows=6,
        help_text=MARKDOWN_HELP,
        required=_("Écrivez ce que vous décidez, et pourquoi."),
    )
    review_on = _review_field()


class CastingVoteForm(NoLabelSuffix):
    """The chair's choice among the tied options, and why."""

    choice = forms.ChoiceField(
        label=_("L'option que la présidence retient"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez l'une des options à égalité.")},
    )
    statement = _text(
        _("Pourquoi"),
        rows=3,
        help_text=_("Figurera au registre, à côté de l'égalité."),
        required=_("Écrivez pourquoi vous départagez ainsi."),
    )

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {str(o.pk): o.label for o in decision.options.all()}
        labels |= {value: str(label) for value, label in Stance.Choice.choices}
        self.fields["choice"].choices = [
            (str(value), labels.get(str(value), str(value)))
            for value in (decision.result or {}).get("tied", [])
        ]


class RegisterFilter(NoLabelSuffix):
    """The register's filters, in the query string; a wrong value is simply ignored."""

    IN_PROGRESS = "en-cours"

    etat = forms.ChoiceField(label=_("État"), required=False)
    mode = forms.ChoiceField(
        label=_("Mode de décision"),
        required=False,
        choices=[("", _("Tous"))] + list(Decision.Kind.choices),
    )
    espace = forms.ChoiceField(label=_("Espace"), required=False)
    q = forms.CharField(label=_("Titre contenant"), required=False, max_length=100)

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etat"].choices = [
            ("", _("Tous")),
            (self.IN_PROGRESS, _("En cours")),
            *Decision.Outcome.choices,
        ]
        self.fields["espace"].choices = [("", _("Tous"))] + [
            (space.slug, space.display_name) for space in spaces
        ]

    def filter(self, decisions):
        if not self.is_valid():
            return decisions
        data = self.cleaned_data
        if data["etat"] == self.IN_PROGRESS:
            decisions = decisions.in_progress()
        elif data["etat"]:
            decisions = decisions.filter(outcome=data["etat"])
        if data["mode"]:
            decisions = decisions.filter(kind=data["mode"])
        if data["espace"]:
            decisions = decisions.filter(space__slug=data["espace"])
        if data["q"]:
            decisions = decisions.filter(title__icontains=data["q"])
        return decisions
