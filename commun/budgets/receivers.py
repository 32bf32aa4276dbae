"""Budgets' answers to decisions: adoption commits, a review closes, anything else refuses.

Each runs inside the transaction that closes the decision. A commitment the reserve no
longer covers raises ValidationError there: `Decision.close()` then refuses the adoption
(to a person closing) or lets the decision lapse saying why (the deadline job).
"""

from django.dispatch import receiver

from commun.decisions.signals import decision_closed


@receiver(decision_closed, dispatch_uid="budgets.act_on_mission_decisions")
def act_on_mission_decisions(sender, decision, **kwargs):
    from commun.budgets.models import REVIEW, SUBJECT_KINDS, TOP_UP, Mission, MissionTopUp

    if decision.subject_kind not in SUBJECT_KINDS:
        return
    adopted = decision.outcome == decision.Outcome.ADOPTED
    if decision.subject_kind == TOP_UP:
        top_up = MissionTopUp.objects.filter(pk=decision.subject_id).first()
        if top_up is not None and adopted:
            top_up.commit(decision)
        elif top_up is not None:
            top_up.refuse(decision)
        return
    mission = Mission.objects.filter(pk=decision.subject_id).first()
    if mission is None:
        return
    if decision.subject_kind == REVIEW:
        if adopted:
            mission.close_after_review(decision)
        else:
            mission.reopen_after_review(decision)
    elif adopted:
        mission.commit_budget(decision)
    else:
        mission.end_decision(decision)
