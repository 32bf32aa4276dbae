"""« À faire »: a member's own page after login, and marking a notice read."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from commun.board.models import Task, with_addresses
from commun.budgets.models import Mission
from commun.decisions.models import AdviceRequest, Decision
from commun.decisions.rules import active_member
from commun.notifications.models import Notice

NOTICES_SHOWN = 50
TASKS_SHOWN = 20


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
def awaits(request: HttpRequest) -> HttpResponse:
    """What awaits me: decisions, advice asked of me, my missions' next steps, my tasks,
    my notices."""
    member = active_member(request.user)
    if member is None:
        return redirect("members:me")  # an applicant or an account: their own page says why
    advice = (
        AdviceRequest.objects.filter(
            advisor=member, given_at__isnull=True, decision__phase=Decision.Phase.ADVICE
        )
        .select_related("decision__author")
        .order_by("decision__closes_at", "pk")
    )
    notices = list(Notice.objects.filter(member=member).in_reading_order()[:NOTICES_SHOWN])
    return render(
        request,
        "notifications/awaits.html",
        {
            "member": member,
            "decisions": list(Decision.objects.awaiting(member)),
            "advice": list(advice),
            "missions": list(Mission.objects.awaiting(member)),
            "tasks": with_addresses(list(Task.objects.mine(member).for_board()[:TASKS_SHOWN])),
            "notices": notices,
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notices read; someone else's is not found."""
    member = active_member(request.user)
    notice = get_object_or_404(Notice, pk=pk, member=member)
    notice.mark_read()
    if _is_htmx(request):
        return render(request, "notifications/awaits.html#notice", {"notice": notice})
    return redirect("notifications:awaits")
