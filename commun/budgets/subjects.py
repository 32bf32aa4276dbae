"""What the budgets' decisions are about: a mission's versions, or a top-up's amount.

Their texts are generated (`deciding.py`), so a free amendment is refused: a mission is
amended through its terms (`Mission.amend()`), which makes its next version and the text's;
a top-up is withdrawn and asked again. Registered by `BudgetsConfig.ready()`.
"""

from itertools import pairwise

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.decisions import subjects
from commun.lib.money import format_cents

CACHE = "_mission_versions"


class MissionSubject(subjects.Subject):
    owns_text = True
    refusal = gettext_lazy(
        "Le texte d'une décision sur une mission est généré depuis la mission : amendez la "
        "mission (sa rémunération, ses dates, son périmètre, ses livrables), le texte suivra."
    )
    amend_label = gettext_lazy("Amender la mission : rémunération, dates, périmètre")

    def _versions(self, decision) -> list:
        """The mission's versions, read once per decision page (one query)."""
        from commun.budgets.models import MissionVersion

        if CACHE not in decision.__dict__:
            decision.__dict__[CACHE] = list(
                MissionVersion.objects.filter(mission_id=decision.subject_id)
                .select_related("mission")
                .order_by("number")
            )
        return decision.__dict__[CACHE]

    def amend_url(self, decision) -> str:
        return reverse("budgets:mission_amend", args=[decision.subject_id])

    def notice(self, decision) -> str:
        versions = self._versions(decision)
        if not versions:
            return ""
        return _(
            "Les conditions et le coût de ce texte sont générés depuis la mission %(ref)s : ils "
            "ne changent qu'en amendant la mission, qui garde chacune de ses versions."
        ) % {"ref": versions[0].mission.ref}

    def link(self, decision) -> tuple[str, str]:
        return (
            reverse("budgets:mission", args=[decision.subject_id]),
            _("La mission et ses versions"),
        )

    def terms_changes(self, decision) -> dict:
        return {
            after.decision_version_id: after.changes_from(before)
            for before, after in pairwise(self._versions(decision))
            if after.decision_version_id
        }

    def record(self, decision, round) -> dict:
        from commun.budgets.models import MissionVersion

        if round is None:
            return {}
        version = (
            MissionVersion.objects.filter(
                mission_id=decision.subject_id, decision_version_id=round.version_id
            )
            .values("number", "full_cost_cents")
            .first()
        )
        if version is None:
            return {}
        return {
            "mission": decision.subject_id,
            "version": version["number"],
            "full_cost_cents": version["full_cost_cents"],
        }

    def outcome(self, decision) -> str:
        recorded = (decision.result or {}).get("subject") or {}
        if "version" not in recorded:
            return ""
        values = {
            "number": recorded["version"],
            "cost": format_cents(recorded.get("full_cost_cents") or 0),
        }
        if decision.outcome == decision.Outcome.ADOPTED:
            return (
                _(
                    "La mission est adoptée dans sa version %(number)s : son coût complet, "
                    "%(cost)s, est engagé sur la réserve."
                )
                % values
            )
        return (
            _(
                "La version %(number)s de la mission (coût complet %(cost)s) n'est pas adoptée : "
                "rien n'est engagé."
            )
            % values
        )


class TopUpSubject(subjects.Subject):
    owns_text = True
    refusal = gettext_lazy(
        "Le texte d'une demande de complément est généré depuis son montant : pour en changer, "
        "retirez la demande et faites-en une autre."
    )

    def notice(self, decision) -> str:
        return _("Le montant de ce texte est généré depuis la demande de complément.")

    def link(self, decision) -> tuple[str, str]:
        from commun.budgets.models import MissionTopUp

        mission_id = (
            MissionTopUp.objects.filter(pk=decision.subject_id)
            .values_list("mission_id", flat=True)
            .first()
        )
        if mission_id is None:
            return "", ""
        return reverse("budgets:mission", args=[mission_id]), _("La mission")

    def record(self, decision, round) -> dict:
        from commun.budgets.models import MissionTopUp

        top_up = (
            MissionTopUp.objects.filter(pk=decision.subject_id)
            .values("mission_id", "amount_cents")
            .first()
        )
        if top_up is None:
            return {}
        return {
            "mission": top_up["mission_id"],
            "top_up": decision.subject_id,
            "amount_cents": top_up["amount_cents"],
        }


def register() -> None:
    from commun.budgets.models import MISSION, TOP_UP

    subjects.register(MISSION, MissionSubject())
    subjects.register(TOP_UP, TopUpSubject())
