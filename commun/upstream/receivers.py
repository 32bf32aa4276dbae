"""Upstream's answer to a closed dot vote: plan the gifts of its split."""

from django.dispatch import receiver

from commun.decisions.signals import decision_closed
from commun.upstream.models import SUBJECT_KIND


@receiver(decision_closed, dispatch_uid="upstream.settle_split")
def settle_split(sender, decision, **kwargs):
    """Adopted: one planned gift per project with its share; lapsed or withdrawn: nothing."""
    if decision.subject_kind != SUBJECT_KIND:
        return
    from commun.upstream.models import CommonsSplit

    split = CommonsSplit.objects.filter(pk=decision.subject_id).first()
    if split is not None:
        split.settle(decision)
