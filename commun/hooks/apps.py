from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "commun.hooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from commun.hooks import receivers  # noqa: F401  (connects the signal receivers)
