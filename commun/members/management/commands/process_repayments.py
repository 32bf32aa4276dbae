"""`commun process_repayments`: repay the resigned members whose delay has passed (for cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commun.lib.money import format_cents
from commun.members.models import Repayment


class Command(BaseCommand):
    help = "Rembourse les parts des démissionnaires dont le délai statutaire est échu."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Traiter comme si l'on était ce jour (AAAA-MM-JJ) ; aujourd'hui par défaut.",
        )

    def handle(self, *args, date=None, **options):
        today = timezone.localdate()
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(
                    _("Date invalide : %(date)s (attendu AAAA-MM-JJ).") % {"date": date}
                ) from None
        results = Repayment.objects.process_due(today)
        if not results:
            self.stdout.write(
                _("Aucun remboursement échu au %(date)s.") % {"date": f"{today:%d/%m/%Y}"}
            )
        for repayment, repaid in results:
            if repaid:
                line = ngettext(
                    "Remboursé : %(member)s, %(shares)s part, %(amount)s.",
                    "Remboursé : %(member)s, %(shares)s parts, %(amount)s.",
                    repayment.shares,
                ) % {
                    "member": repayment.member,
                    "shares": repayment.shares,
                    "amount": format_cents(repayment.amount_cents),
                }
                self.stdout.write(self.style.SUCCESS(line))
            else:
                line = _("Différé : %(member)s. %(why)s") % {
                    "member": repayment.member,
                    "why": repayment.deferred_note,
                }
                self.stdout.write(self.style.WARNING(line))
