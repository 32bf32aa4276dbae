from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "commun.budgets"
    verbose_name = _("Besoins et missions")

    def ready(self):
        from commun.budgets import receivers  # noqa: F401  (connects the signal receivers)
        from commun.budgets import subjects

        subjects.register()
