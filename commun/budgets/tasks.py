"""The budgets' background work, run by `commun worker`.

Estimates go on their own queue, which `commun serve` gives a worker of its own: a person
waits for them, so they never queue behind a convocation's thousands of emails."""

import math
import time
from datetime import timedelta

from django.core.cache import cache
from django.tasks import TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.lib import payroll
from commun.lib.payroll import ESTIMATES_QUEUE

# Distinct estimates one person may queue in a minute: a page asks for one per terms
# typed, and varying the terms must not let anyone fill the worker's queue.
MAX_ESTIMATES_PER_MINUTE = 10
# An estimate still waiting in the queue that long has no worker to take it.
NOT_STARTED_SECONDS = 30
_TASK = "payroll-estimate-task:"
_ASKED = "payroll-estimates-asked:"


@task(queue_name=ESTIMATES_QUEUE)
def estimate_salaried_cost(arguments: dict) -> None:
    """Compute an OpenFisca estimate into the cache, for the page or the API call that
    waits for it (`Mission.cost_within`)."""
    payroll.compute_estimate(arguments)


class TooManyEstimates(Exception):
    """One person asked for more than MAX_ESTIMATES_PER_MINUTE new estimates this minute."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        return _(
            "Vous avez demandé trop d'estimations différentes en une minute (%(count)s au "
            "plus) : réessayez dans %(seconds)s secondes."
        ) % {"count": MAX_ESTIMATES_PER_MINUTE, "seconds": self.retry_after}


class EstimateNotStarted(Exception):
    """The estimate has waited in the queue NOT_STARTED_SECONDS: no worker takes it."""

    @property
    def message(self) -> str:
        return _(
            "Le calcul du coût n'a pas commencé : aucun travailleur de tâches ne l'a pris "
            "depuis %(seconds)s secondes. Les responsables de la coopérative doivent lancer "
            "le travailleur (commun serve le lance, ou commun worker) ; le coût s'affiche "
            "dès qu'il a tourné."
        ) % {"seconds": NOT_STARTED_SECONDS}


def ask_worker(pending: payroll.EstimatePending, asker_id: int | None = None) -> None:
    """Queue `pending` for the estimates' worker, unless it waits in the queue already.

    Raises `EstimateNotStarted` once it has waited there too long, and `TooManyEstimates`
    when `asker_id` (a user's id) is over their share of new estimates this minute."""
    waiting_since = _waiting_since(pending.key)
    if waiting_since is not None:
        if timezone.now() - waiting_since > timedelta(seconds=NOT_STARTED_SECONDS):
            raise EstimateNotStarted
        return
    if not pending.claim():
        return
    if asker_id is not None:
        try:
            _count_asked(asker_id)
        except TooManyEstimates:
            pending.release()  # not queued: the next asker may queue it
            raise
    queued = estimate_salaried_cost.enqueue(pending.arguments)
    cache.set(_TASK + pending.key, queued.id, payroll.ESTIMATE_CACHE_SECONDS)


def _waiting_since(key: str):
    """When the estimate's task was queued, if it waits there still (never queued twice)."""
    task_id = cache.get(_TASK + key)
    if task_id is None or not estimate_salaried_cost.get_backend().supports_get_result:
        return None
    try:
        queued = estimate_salaried_cost.get_result(task_id)
    except TaskResultDoesNotExist:
        return None
    return queued.enqueued_at if queued.status == TaskResultStatus.READY else None


def _count_asked(asker_id: int) -> None:
    """Count one more new estimate for `asker_id` this minute, or refuse it."""
    now = time.time()
    key = f"{_ASKED}{asker_id}:{int(now // 60)}"
    cache.add(key, 0, 2 * 60)
    if cache.incr(key) > MAX_ESTIMATES_PER_MINUTE:
        raise TooManyEstimates(max(1, math.ceil(60 - now % 60)))
