from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "commun.feeds"
    verbose_name = _("Flux et calendriers")
