"""The calendars (iCalendar, RFC 5545): the public one and each member's own.

Every event has a UID that never changes (`decision-12-echeance@host`), so a calendar
application updates it in place, and a DTSTAMP that is the last change Commun knows of
(for a published calendar without METHOD, RFC 5545 reads DTSTAMP as LAST-MODIFIED): the
same database gives the same file, byte for byte, which is what makes its ETag useful.
Times are written in the site's zone (TIME_ZONE, Europe/Paris by default) with its
VTIMEZONE, DTSTAMP in UTC; a mission's dates are whole days.
"""

import datetime
import logging
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from commun.board.models import Task
from commun.budgets.models import Mission
from commun.decisions.models import Decision
from commun.lib.memo import Memo
from commun.lib.months import add_months

logger = logging.getLogger(__name__)

# How far back the public calendar goes, and how many events of each kind it holds at most:
# icalendar writes about a thousand events a second, and a calendar application wants the
# weeks around today, not the cooperative's whole history.
PAST = datetime.timedelta(days=30)
EVENTS = 200
# The missions a calendar shows: proposed to a decision, or adopted (not withdrawn or rejected).
SHOWN_MISSIONS = (
    Mission.Status.SUBMITTED,
    Mission.Status.ADOPTED,
    Mission.Status.CLOSING,
    Mission.Status.CLOSED,
)


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "commun"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def calendar(name: str, description: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Commun//Commun//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def deadline_event(decision: Decision, note: str = "") -> Event:
    """A decision's deadline: the moment it closes, if nobody closes it before."""
    event = Event()
    event.add("uid", f"decision-{decision.pk}-echeance@{_host()}")
    event.add("dtstamp", _utc(decision.closed_at or decision.opened_at or decision.created_at))
    event.add("dtstart", _local(decision.closes_at))
    event.add("summary", _("Échéance : %(title)s") % {"title": decision.title})
    if decision.closed_at:
        state = _("Terminée : %(outcome)s.") % {"outcome": decision.get_outcome_display()}
    else:
        state = f"{decision.get_kind_display()} · {decision.get_phase_display()}."
    url = _absolute(decision.get_absolute_url())
    event.add("description", "\n".join(part for part in (state, note, url) if part))
    event.add("url", url)
    return event


def mission_event(mission: Mission) -> Event:
    """A mission's days, from its start for its duration (the end day is exclusive)."""
    event = Event()
    moments = (mission.created_at, mission.submitted_at, mission.adopted_at, mission.closed_at)
    event.add("uid", f"mission-{mission.pk}@{_host()}")
    event.add("dtstamp", _utc(max(moment for moment in moments if moment is not None)))
    event.add("dtstart", mission.start_on)
    event.add("dtend", add_months(mission.start_on, mission.duration_months))
    event.add(
        "summary", _("Mission %(ref)s : %(title)s") % {"ref": mission.ref, "title": mission.title}
    )
    url = _absolute(mission.get_absolute_url())
    event.add("description", f"{mission.get_status_display()}.\n{mission.pay_asked}\n{url}")
    event.add("url", url)
    return event


def task_event(task: Task) -> Event:
    """A task's due date, a whole day."""
    event = Event()
    event.add("uid", f"tache-{task.pk}-echeance@{_host()}")
    event.add("dtstamp", _utc(task.changed_at))
    event.add("dtstart", task.due_on)
    event.add("dtend", task.due_on + datetime.timedelta(days=1))
    event.add("summary", _("Tâche à rendre : %(title)s") % {"title": task.title})
    url = _absolute(task.get_absolute_url())
    event.add("description", f"{task.get_state_display()}.\n{url}")
    event.add("url", url)
    return event


def _add(cal: Calendar, make, item) -> None:
    """One event into `cal`; an item whose dates no calendar can hold (an old row from
    before its dates were bounded) is left out rather than failing the whole file."""
    try:
        cal.add_component(make(item))
    except (OverflowError, ValueError):
        logger.warning("Calendar: %s %s left out, its dates can't be written", type(item), item.pk)


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


# The public calendar, written once a minute per process and language: every subscriber's
# application polls the same bytes (COMMUN_CALENDAR_SECONDS, 0 in the tests).
_PUBLIC: dict[str, Memo] = {}


def public_calendar() -> bytes:
    memo = _PUBLIC.setdefault(get_language() or "", Memo("COMMUN_CALENDAR_SECONDS", 60))
    return memo.get(_public_calendar)


def _public_calendar(now: datetime.datetime | None = None) -> bytes:
    """The public decisions' deadlines from `PAST` ago on, and the public missions' dates."""
    now = now or timezone.now()
    decisions = (
        Decision.objects.readable_by(None)
        .filter(closes_at__gte=now - PAST)
        .order_by("closes_at", "pk")[:EVENTS]
    )
    missions = (
        Mission.objects.public()
        .filter(status__in=SHOWN_MISSIONS)
        .order_by("-start_on", "-pk")[:EVENTS]
    )
    tasks = (
        Task.objects.exclude(state=Task.State.ABANDONED)
        .filter(due_on__gte=(now - PAST).date())
        .order_by("due_on", "pk")[:EVENTS]
    )
    cal = calendar(
        _("Calendrier public"),
        _("Les échéances des décisions publiques, les dates des missions et des tâches."),
    )
    for decision in decisions:
        cal.add_component(deadline_event(decision))
    for mission in missions:
        _add(cal, mission_event, mission)
    for task in tasks:
        _add(cal, task_event, task)
    return _finish(cal)


def personal_calendar(member) -> bytes:
    """The deadlines of the open decisions `member` may still take part in: eligible, and
    either silent so far or free to change their stance (any but a secret ballot); and the
    due dates of the tasks they took and that are not yet validated nor abandoned."""
    awaiting = [
        decision
        for decision in Decision.objects.awaiting(member).filter(closes_at__isnull=False)
        if decision.is_eligible and not (decision.has_spoken and decision.is_secret)
    ]
    cal = calendar(
        _("Mes décisions à prendre"),
        _("Les décisions où votre voix est attendue, jusqu'à leur échéance, et vos tâches."),
    )
    for decision in awaiting[:EVENTS]:
        if decision.has_spoken:
            note = _("Vous avez pris position ; vous pouvez encore en changer.")
        else:
            note = _("Vous n'avez pas encore pris position.")
        cal.add_component(deadline_event(decision, note))
    for task in Task.objects.mine(member).filter(due_on__isnull=False)[:EVENTS]:
        _add(cal, task_event, task)
    return _finish(cal)
