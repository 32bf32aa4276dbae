from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "commun.members"
    label = "members"
    verbose_name = _("Associé·es et registre")

    def ready(self):
        from commun.members import receivers  # noqa: F401  (connects the signal receivers)
