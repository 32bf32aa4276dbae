from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "commun.board"
    verbose_name = _("Tableau des tâches")
