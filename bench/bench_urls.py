"""Commun's URLs plus one bare view, the floor the benchmark compares every page to.

Selected with COMMUN_URLCONF=bench.bench_urls; never part of a deployment.
"""

from django.http import HttpResponse
from django.urls import path

from commun.members.models import Cooperative
from commun.urls import urlpatterns as commun_urlpatterns


def bare(request):
    """Read one row and answer: what any Django page costs at least on this database."""
    name = Cooperative.objects.values_list("name", flat=True).get(pk=1)
    return HttpResponse(name, content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/bare/", bare), *commun_urlpatterns]
