"""Who may give back upstream: every write (projects, splits, gifts) is the officers'.

The model methods call `require()` under their locks; pages and the API ask `may()`.
Reading the projects, the fund and the gifts is public.
"""

from django.utils.translation import gettext_lazy as _

from commun.lib.rules import OFFICERS_ONLY, Rulebook, is_officer, officer

ACTION_NAMES = {
    "edit_project": _("modifier les projets amont"),
    "open_split": _("ouvrir un partage du fonds des communs"),
    "plan_gift": _("prévoir un don"),
    "pay_gift": _("enregistrer le paiement d'un don"),
    "cancel_gift": _("annuler un don"),
}

WHO_MAY = {action: (officer, OFFICERS_ONLY) for action in ACTION_NAMES}

RULES = Rulebook(WHO_MAY, ACTION_NAMES)
refusal, may, require = RULES.refusal, RULES.may, RULES.require

__all__ = ["is_officer", "refusal", "may", "require"]
