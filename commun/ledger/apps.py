from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "commun.ledger"
    verbose_name = _("Comptabilité")

    def ready(self):
        from commun.ledger import receivers  # noqa: F401  (connects the signal receivers)
