from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "commun.budgets"
    verbose_name = _("Besoins et missions")

    def ready(self):
        from commun.budgets import receivers, subjects  # noqa: F401  (receivers connect)

        subjects.register()  # what a mission's or top-up's decision is about
