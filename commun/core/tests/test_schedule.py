import datetime

from django.utils import timezone

from commun.core import schedule
from commun.core.models import PeriodicRun


def test_each_periodic_job_is_enqueued_once_per_interval(db, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = schedule.enqueue_due(now)
    assert set(first) == set(schedule.PERIODIC)
    assert schedule.enqueue_due(now + datetime.timedelta(minutes=1)) == []
    later = schedule.enqueue_due(now + datetime.timedelta(minutes=6))
    assert later == [
        "commun.decisions.tasks.close_due_decisions",
        "commun.hooks.tasks.retry_due_deliveries",
    ]
    assert PeriodicRun.objects.count() == len(schedule.PERIODIC)


def test_every_periodic_job_names_a_real_task():
    from django.tasks import Task
    from django.utils.module_loading import import_string

    for path in schedule.PERIODIC:
        assert isinstance(import_string(path), Task), path
