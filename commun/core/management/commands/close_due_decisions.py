"""`commun close_due_decisions`: close decisions past their deadline and send reminders (cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.decisions.models import Decision


class Command(BaseCommand):
    help = (
        "Clôt les décisions dont l'échéance est passée, rappelle l'échéance à qui ne s'est pas "
        "prononcé·e et signale les dates de révision atteintes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Agir comme si l'on était à cet instant (AAAA-MM-JJTHH:MM) ; "
            "maintenant par défaut.",
        )

    def handle(self, *args, now=None, **options):
        moment = timezone.now()
        if now:
            try:
                moment = datetime.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(
                    _("Instant invalide : %(now)s (attendu AAAA-MM-JJTHH:MM).") % {"now": now}
                ) from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        done = Decision.objects.close_due(moment)
        for decision in done["closed"]:
            self.stdout.write(
                _("Close : « %(title)s » — %(outcome)s.")
                % {"title": decision.title, "outcome": decision.get_outcome_display()}
            )
        self.stdout.write(
            _(
                "Décisions closes : %(closed)s ; rappels envoyés : %(reminded)s ; "
                "révisions signalées : %(reviews)s."
            )
            % {
                "closed": len(done["closed"]),
                "reminded": done["reminded"],
                "reviews": done["reviews"],
            }
        )
