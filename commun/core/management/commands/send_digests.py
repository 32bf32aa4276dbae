"""`commun send_digests`: the daily email digest of notifications (run it once a day, by cron)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from commun.notifications.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Envoie à chaque associé·e qui l'a choisi un résumé de ses notifications non lues "
        "et pas encore envoyées. Relancer la commande n'envoie rien deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Mettre la tâche en file pour le worker au lieu de l'exécuter ici.",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = send_digests.enqueue()
            self.stdout.write(_("Tâche mise en file : %(id)s") % {"id": result.id})
            return
        sent = send_digests.call()
        self.stdout.write(_("Résumés envoyés : %(sent)s.") % {"sent": sent})
