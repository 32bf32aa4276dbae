"""The members' background work, run daily by `commun worker`."""

from django.tasks import task


@task
def process_repayments() -> int:
    """Repay the resignations whose delay has passed (or defer them under the capital floor)."""
    from commun.members.models import Repayment

    return sum(1 for _repayment, repaid in Repayment.objects.process_due() if repaid)
