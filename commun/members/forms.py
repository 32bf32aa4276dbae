"""The forms of the members' pages: joining, and a member's own profile."""

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from allauth.core import context
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from commun.accounts.models import User
from commun.lib.controls import RefusesControlCharacters
from commun.lib.iban import normalise_iban
from commun.lib.money import format_cents
from commun.members.models import (
    MAX_SHARES_PER_MOVEMENT,
    Application,
    Category,
    Cooperative,
    Member,
    MemberKind,
    ShareMovement,
)

# A search is for finding someone: past this many matches, ask for a narrower one.
SEARCH_COUNT_LIMIT = 500

phone_validator = RegexValidator(
    r"^\+?[0-9 .()\-]{6,30}$",
    _("Saisissez un numéro de téléphone : chiffres, espaces, points, tirets, et un + initial."),
)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        minimum = ngettext(
            "au moins %(count)s part", "au moins %(count)s parts", category.min_shares
        ) % {"count": category.min_shares}
        return f"{category.name} ({minimum})"


ACCOUNT_EXISTS = _("Un compte existe déjà avec cette adresse : connectez-vous d'abord.")


def account_exists(email: str) -> bool:
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


class NoLabelSuffix(RefusesControlCharacters):
    """Labels without Django's trailing colon: they read better, checkboxes included."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def send_verification(request, address: EmailAddress):
    """allauth's verification email, also when run after the request (tests, a worker)."""
    with context.request_context(request):
        send_verification_email_to_address(request, address, signup=True)


class JoinForm(NoLabelSuffix, forms.Form):
    """The application form; a visitor also chooses a password and so creates an account."""

    kind = forms.ChoiceField(
        label=_("Vous candidatez en tant que"),
        choices=MemberKind.choices,
        initial=MemberKind.PERSON,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Indiquez si vous êtes une personne ou une structure."),
            "invalid_choice": _("Choisissez « personne physique » ou « personne morale »."),
        },
    )
    organisation_name = forms.CharField(
        label=_("Nom de la structure"),
        max_length=200,
        required=False,
        help_text=_("Pour une personne morale : vous la représentez."),
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=100,
        error_messages={"required": _("Indiquez votre prénom.")},
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=100,
        error_messages={"required": _("Indiquez votre nom.")},
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        error_messages={
            "required": _("Indiquez votre adresse e-mail."),
            "invalid": _("Cette adresse e-mail n'est pas valide (exemple : nom@exemple.fr)."),
        },
    )
    phone = forms.CharField(
        label=_("Téléphone"), max_length=30, required=False, validators=[phone_validator]
    )
    postal_address = forms.CharField(
        label=_("Adresse postale"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Elle figure au registre des associé·es, que la loi nous demande de tenir."),
    )
    category = CategoryChoiceField(
        label=_("Catégorie d'associé·e"),
        queryset=Category.objects.filter(open_to_applications=True),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez votre catégorie."),
            "invalid_choice": _("Choisissez une des catégories proposées."),
        },
    )
    shares = forms.IntegerField(
        label=_("Nombre de parts souscrites"),
        min_value=1,
        max_value=MAX_SHARES_PER_MOVEMENT,
        initial=1,
        error_messages={
            "required": _("Indiquez le nombre de parts que vous souscrivez."),
            "invalid": _("Le nombre de parts est un nombre entier."),
            "min_value": _("Souscrivez au moins une part."),
            "max_value": _("Une candidature porte sur %(limit_value)s parts au plus."),
        },
    )
    motivation = forms.CharField(
        label=_("Ce qui vous amène"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consents_to_charter = forms.BooleanField(
        error_messages={"required": _("Adhérer à la charte est nécessaire pour rejoindre.")}
    )
    consents_to_privacy = forms.BooleanField(
        error_messages={
            "required": _("Accepter la politique de confidentialité est nécessaire pour rejoindre.")
        }
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 8 caractères, pas un mot de passe courant."),
        error_messages={"required": _("Choisissez un mot de passe.")},
    )
    password2 = forms.CharField(
        label=_("Mot de passe, à nouveau"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Confirmez votre mot de passe.")},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        self.account_exists = False
        coop = Cooperative.get()
        share_value = format_cents(coop.share_value_cents)
        self.fields["shares"].help_text = _("Une part vaut %(value)s.") % {"value": share_value}
        self.fields["shares"].widget.attrs.update(
            {"data-share-value-cents": coop.share_value_cents, "inputmode": "numeric"}
        )
        # The links sit in the help text: a link inside a checkbox's label is hard to use.
        charter, privacy = self.fields["consents_to_charter"], self.fields["consents_to_privacy"]
        charter.label = _("J'ai lu la charte de la coopérative et j'y adhère.")
        charter.help_text = format_html(
            '<a href="{}">{}</a>', reverse("core:charter"), _("Lire la charte")
        )
        privacy.label = _("J'accepte la politique de confidentialité.")
        privacy.help_text = format_html(
            '<a href="{}">{}</a>',
            reverse("core:privacy"),
            _("Lire la politique de confidentialité"),
        )
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["postal_address"].widget.attrs["autocomplete"] = "street-address"
        if self.user is not None:
            # Someone logged in applies with their account: no new email, no password.
            for name in ("email", "password1", "password2"):
                del self.fields[name]

    @property
    def creates_account(self) -> bool:
        return self.user is None

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if account_exists(email):
            self.account_exists = True
            raise ValidationError(ACCOUNT_EXISTS)
        return email

    def clean(self):
        data = super().clean()
        if data.get("kind") == MemberKind.ORGANISATION and not data.get("organisation_name"):
            self.add_error(
                "organisation_name", _("Indiquez le nom de la structure que vous représentez.")
            )
        category, shares = data.get("category"), data.get("shares")
        if category and shares and shares < category.min_shares:
            self.add_error(
                "shares",
                ngettext(
                    "La catégorie « %(category)s » demande au moins %(min)s part.",
                    "La catégorie « %(category)s » demande au moins %(min)s parts.",
                    category.min_shares,
                )
                % {"category": category.name, "min": category.min_shares},
            )
        if self.creates_account:
            password1, password2 = data.get("password1"), data.get("password2")
            if password1 and password2 and password1 != password2:
                self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
            elif password1 and data.get("email"):
                try:
                    password_validation.validate_password(password1, User(email=data["email"]))
                except ValidationError as error:
                    self.add_error("password1", error)
        return data

    def save(self, request) -> Application:
        """Create the account if needed, then submit the application; call inside a transaction."""
        data = self.cleaned_data
        user = self.user
        if user is None:
            try:
                with transaction.atomic():
                    user = User.objects.create_user(data["email"], data["password1"])
            except IntegrityError:
                # The same address was registered between our check and now.
                self.account_exists = True
                raise ValidationError({"email": ACCOUNT_EXISTS}) from None
            address = EmailAddress.objects.create(
                user=user, email=data["email"], primary=True, verified=False
            )
            # Sent only once everything is written: a rolled-back join sends nothing.
            transaction.on_commit(lambda: send_verification(request, address))
        application = Application(
            user=user,
            email=user.email,
            kind=data["kind"],
            organisation_name=data["organisation_name"] if data["kind"] == "organisation" else "",
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            postal_address=data["postal_address"],
            category=data["category"],
            shares=data["shares"],
            motivation=data["motivation"],
            consents_to_charter=data["consents_to_charter"],
            consents_to_privacy=data["consents_to_privacy"],
            language=(translation.get_language() or "fr")[:8],
        )
        return application.submit()


class ProfileForm(NoLabelSuffix, forms.ModelForm):
    """What a member may change about themselves; the model checks the pseudonym rule."""

    class Meta:
        model = Member
        fields = [
            "public_visibility",
            "members_visibility",
            "pseudonym",
            "phone",
            "postal_address",
            "iban",
            "bio",
        ]
        widgets = {
            "public_visibility": forms.RadioSelect,
            "members_visibility": forms.RadioSelect,
            "postal_address": forms.Textarea(attrs={"rows": 3}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "pseudonym": _("Obligatoire si vous choisissez d'être montré·e sous votre pseudonyme."),
            "bio": _("Quelques mots visibles des autres associé·es."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(phone_validator)
        self.fields["members_visibility"].required = False

    def clean_members_visibility(self):
        # Optional in a post: an older form (or client) that does not send it keeps the choice.
        return self.cleaned_data.get("members_visibility") or self.instance.members_visibility

    def clean_iban(self):
        return normalise_iban(self.cleaned_data.get("iban", ""))


class DirectoryFilter(NoLabelSuffix, forms.Form):
    q = forms.CharField(label=_("Nom, pseudonyme ou numéro"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Toutes"),
        error_messages={"invalid_choice": _("Cette catégorie n'existe pas.")},
    )


class RegisterFilter(NoLabelSuffix, forms.Form):
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=[("", _("Toutes"))] + ShareMovement.Kind.choices,
        required=False,
        error_messages={"invalid_choice": _("Cette nature de mouvement n'existe pas.")},
    )
    member = forms.IntegerField(
        label=_("N° d'associé·e"),
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        error_messages={"invalid": _("Un numéro d'associé·e est un nombre entier.")},
    )
    movement = forms.IntegerField(
        label=_("N° de mouvement"),
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        error_messages={"invalid": _("Un numéro de mouvement est un nombre entier.")},
    )


def register_movements(query) -> tuple[RegisterFilter, object, bool]:
    """The register's queryset, filtered by the query string (invalid filters are ignored)."""
    filters = RegisterFilter(query or None)
    movements = ShareMovement.objects.all()
    filtered = False
    if filters.is_bound:
        filters.is_valid()
        data = filters.cleaned_data
        if data.get("kind"):
            movements = movements.filter(kind=data["kind"])
            filtered = True
        if data.get("member"):
            # By id rather than through joins: both sides are then read from their index.
            holder = Member.objects.filter(number=data["member"]).values_list("pk", flat=True)
            holder = holder.first()
            if holder is None:
                movements = movements.none()
            else:
                movements = movements.filter(Q(member_id=holder) | Q(counterpart_id=holder))
            filtered = True
        if data.get("movement"):
            movements = movements.filter(number=data["movement"])
            filtered = True
    return filters, movements, filtered
