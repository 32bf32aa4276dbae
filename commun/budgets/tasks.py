"""The budgets' background work, run by `commun worker`."""

from django.tasks import task

from commun.lib import payroll


@task
def estimate_salaried_cost(arguments: dict) -> None:
    """Compute an OpenFisca estimate into the cache, for the page or the API call that
    waits for it (`Mission.cost_within`)."""
    payroll.compute_estimate(arguments)
