"""Who may manage webhooks: the officers only, on the pages and in the API."""

from django.utils.translation import gettext_lazy as _

from commun.lib.rules import OFFICERS_ONLY, Rulebook, officer

ACTION_NAMES = {"manage_webhooks": _("gérer les webhooks")}
WHO_MAY = {action: (officer, OFFICERS_ONLY) for action in ACTION_NAMES}

RULES = Rulebook(WHO_MAY, ACTION_NAMES)
refusal, may, require = RULES.refusal, RULES.may, RULES.require
