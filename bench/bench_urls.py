"""Commun's URLs plus two bare views, the floors the benchmark compares every page to.

Selected with COMMUN_URLCONF=bench.bench_urls; never part of a deployment.
"""

import uuid

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commun.core.models import PeriodicRun
from commun.members.models import Cooperative
from commun.urls import urlpatterns as commun_urlpatterns


def bare(request):
    """Read one row and answer: what any Django page costs at least on this database."""
    name = Cooperative.objects.values_list("name", flat=True).get(pk=1)
    return HttpResponse(name, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def bare_insert(request):
    """Insert one row (a throwaway one, uniquely named) and answer: the floor of any write."""
    run = PeriodicRun.objects.create(
        name=f"bench-{uuid.uuid4().hex}", last_enqueued_at=timezone.now()
    )
    return HttpResponse(str(run.pk), content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare/insert", bare_insert),
    *commun_urlpatterns,
]
