"""Upstream's answer to a closed dot vote (plan the gifts of its split), and to the treasury
forecast (the gifts planned and not yet paid)."""

from django.dispatch import receiver

from commun.budgets.signals import forecast_outflows
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


@receiver(forecast_outflows, dispatch_uid="upstream.planned_gifts")
def planned_gifts(sender, **kwargs) -> list:
    """The planned gifts leave the bank this month: they have no date of their own."""
    from django.db.models import Sum
    from django.utils import timezone

    from commun.upstream.models import Gift

    planned = Gift.objects.filter(status=Gift.Status.PLANNED).aggregate(t=Sum("amount_cents"))
    return [(timezone.localdate().replace(day=1), planned["t"] or 0)]
