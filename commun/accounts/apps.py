from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "commun.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from allauth.mfa.models import Authenticator

        from commun.accounts.second_factor import activated

        # On the model, not allauth's `authenticator_added`: TOTP sends that one on commit,
        # which a test's transaction never reaches.
        post_save.connect(activated, sender=Authenticator, dispatch_uid="accounts.activated")
