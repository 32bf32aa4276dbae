"""The public pages every visitor reads: home, charter, statutes, privacy."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commun.members.models import Category, Member


def home(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.select_related("college").annotate(
        active_members=Count("members", filter=Q(members__status=Member.Status.ACTIVE))
    )
    return render(
        request,
        "core/home.html",
        {"categories": categories, "member_count": sum(c.active_members for c in categories)},
    )


def charter(request: HttpRequest) -> HttpResponse:
    return render(request, "core/markdown_page.html", {"page": "charter"})


def statutes(request: HttpRequest) -> HttpResponse:
    return render(request, "core/markdown_page.html", {"page": "statutes"})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")
