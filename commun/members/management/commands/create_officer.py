"""Bootstrap a fresh install: the first officer, admitted and with shares paid."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from commun.accounts.models import User
from commun.members.models import Application, Category, ShareMovement


class Command(BaseCommand):
    help = "Crée un·e responsable : compte, admission, parts libérées (premier démarrage)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument(
            "--category", required=True, help="Nom (ou début du nom) de la catégorie."
        )
        parser.add_argument("--shares", type=int, default=None)
        parser.add_argument("--password", help="Sinon demandé au terminal.")

    def handle(self, *args, **options):
        category = Category.objects.filter(name__istartswith=options["category"]).first()
        if category is None:
            names = ", ".join(Category.objects.values_list("name", flat=True)) or _("aucune")
            raise CommandError(
                _("Catégorie inconnue. Catégories existantes : %(names)s.") % {"names": names}
            )
        email = options["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(_("Un compte existe déjà pour %(email)s.") % {"email": email})
        password = options["password"] or getpass.getpass(_("Mot de passe : "))
        shares = options["shares"] or category.min_shares
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, password)
                user.emailaddress_set.create(email=email, verified=True, primary=True)
                application = Application(
                    user=user,
                    email=email,
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    category=category,
                    shares=shares,
                    consents_to_charter=True,
                    consents_to_privacy=True,
                ).submit()
                member = application.member or application.admit(by=None)
                ShareMovement.objects.record(
                    ShareMovement.Kind.PAYMENT,
                    member,
                    shares,
                    reason="Libération des parts du premier responsable",
                    authorised_by="Installation (commun create_officer)",
                )
                member.refresh_from_db()
                member.set_officer(True)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(member)s est responsable. Connexion : %(email)s ; un second facteur "
                    "(TOTP) sera demandé à la première connexion."
                )
                % {"member": member, "email": email}
            )
        )
