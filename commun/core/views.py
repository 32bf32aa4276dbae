"""The public pages every visitor reads: home, charter, statutes, privacy."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commun.core.replica import public_read
from commun.members.models import Category, active_counts


@public_read
def home(request: HttpRequest) -> HttpResponse:
    # Counted once a minute at most, not per visit: it reads every member.
    counts = active_counts()
    categories = list(Category.objects.select_related("college"))
    for category in categories:
        category.active_members = counts.get(category.pk, 0)
    return render(
        request,
        "core/home.html",
        {"categories": categories, "member_count": sum(counts.values())},
    )


@public_read
def charter(request: HttpRequest) -> HttpResponse:
    return render(request, "core/markdown_page.html", {"page": "charter"})


@public_read
def statutes(request: HttpRequest) -> HttpResponse:
    return render(request, "core/markdown_page.html", {"page": "statutes"})


@public_read
def privacy(request: HttpRequest) -> HttpResponse:
    from commun.privacy.declarations import record_rows

    # The same rows as the officers' record of processing: the two cannot disagree.
    return render(request, "core/privacy.html", {"activities": record_rows()})
