"""`commun demo`: load the demo cooperative (idempotent) and print its logins."""

from django.core.management.base import BaseCommand

from commun.core import demo


class Command(BaseCommand):
    help = "Charge la coopérative de démonstration (sans effet si elle l'est déjà)."

    def handle(self, *args, **options):
        demo.load(self.stdout, self.stderr, self.style)
