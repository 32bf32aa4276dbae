from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpstreamConfig(AppConfig):
    name = "commun.upstream"
    verbose_name = _("Communs amont")

    def ready(self):
        from commun.upstream import receivers  # noqa: F401  (connects the signal receivers)
