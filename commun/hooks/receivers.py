"""The events webhooks report, heard from the apps that make them happen.

Each receiver runs inside the transaction of the action: `emit` writes the event there and
hands it to the worker once it commits, so a rolled-back action sends nothing.
"""

from django.dispatch import receiver

from commun.board.signals import task_changed, task_created
from commun.budgets.signals import mission_adopted
from commun.decisions.signals import decision_closed, decision_opened
from commun.hooks import events
from commun.hooks.models import emit
from commun.ledger.signals import transaction_recorded
from commun.members.signals import member_admitted


def _public(decision) -> bool:
    from commun.decisions import rules

    # What a visitor may read: members-only decisions (admissions among them) are not sent.
    return rules.can_read(None, decision)


@receiver(member_admitted, dispatch_uid="hooks.member_admitted")
def on_member_admitted(sender, member, **kwargs):
    emit("member.admitted", events.member_admitted(member))


@receiver(decision_opened, dispatch_uid="hooks.decision_opened")
def on_decision_opened(sender, decision, **kwargs):
    if _public(decision):
        emit("decision.opened", events.decision(decision))


@receiver(decision_closed, dispatch_uid="hooks.decision_closed")
def on_decision_closed(sender, decision, **kwargs):
    if _public(decision):
        emit("decision.closed", events.decision(decision))


@receiver(mission_adopted, dispatch_uid="hooks.mission_adopted")
def on_mission_adopted(sender, mission, **kwargs):
    emit("mission.adopted", events.mission_adopted(mission))


@receiver(transaction_recorded, dispatch_uid="hooks.transaction_recorded")
def on_transaction_recorded(sender, transaction, postings, **kwargs):
    emit("transaction.recorded", events.transaction_recorded(transaction, postings))


@receiver(task_created, dispatch_uid="hooks.task_created")
def on_task_created(sender, task, change, **kwargs):
    emit("task.created", events.task(task, change))


@receiver(task_changed, dispatch_uid="hooks.task_changed")
def on_task_changed(sender, task, change, **kwargs):
    emit("task.changed", events.task(task, change))
