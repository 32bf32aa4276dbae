"""Building tasks in tests: plain functions, not fixtures."""

from commun.board.models import Task
from commun.testing.budgets import adopt, fund, invoice, need_by, submitted


def task_on(need, by, title: str = "Corriger l'envoi des billets", **fields) -> Task:
    return Task.objects.create_task(by, need, title=title, **fields)


def funded_mission(proposer, officer):
    """An adopted mission of `proposer` on a need of theirs (`officer` closes its decision)."""
    fund(1_000_000)
    mission = submitted(proposer, need_by(proposer), **invoice(100_000))
    adopt(mission, officer)
    return mission
