"""allauth speaks of "the site": for us it is the cooperative, named in its profile."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.sites.requests import RequestSite


def cooperative_name() -> str:
    from commun.members.models import Cooperative

    return Cooperative.get().name


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context_: dict) -> None:
        """allauth's emails greet from the cooperative, not from a host name."""
        site = RequestSite(context.request)
        site.name = cooperative_name()
        super().send_mail(template_prefix, email, {"current_site": site, **context_})


class MFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self) -> str:
        """The name authenticator apps and security keys show next to the code."""
        return cooperative_name()
