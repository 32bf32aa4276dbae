"""What a decision tells people: a notice in the app and an email (unless they chose the
site only), one per person, in their own language, after the commit."""

from django.conf import settings

from commun.members.models import Member
from commun.notifications.models import Notice, tell
from commun.notifications.tasks import tell_eligible


def _url(decision) -> str:
    return settings.SITE_URL + decision.get_absolute_url()


def _each(members, kind: str, decision, template: str, context: dict | None = None) -> int:
    """Tell each member: their notice links to the decision, their email says more."""
    return tell(
        members,
        kind,
        decision.get_absolute_url(),
        {"title": decision.title},
        template,
        {"decision": decision, "url": _url(decision), **(context or {})},
    )


def advice_requested(decision):
    advisors = [request.advisor for request in decision.advice.select_related("advisor__user")]
    _each(advisors, Notice.Kind.ADVICE_REQUESTED, decision, "decisions/emails/advice_requested.txt")


def advice_given(request):
    decision = request.decision
    _each(
        [decision.author],
        Notice.Kind.ADVICE_GIVEN,
        decision,
        "decisions/emails/advice_given.txt",
        {"request": request},
    )


def objection_raised(objection):
    decision = objection.decision
    _each(
        [decision.author],
        Notice.Kind.OBJECTION_RAISED,
        decision,
        "decisions/emails/objection_raised.txt",
        {"objection": objection},
    )


def objection_dismissed(objection):
    decision = objection.decision
    _each(
        [objection.author],
        Notice.Kind.OBJECTION_DISMISSED,
        decision,
        "decisions/emails/objection_dismissed.txt",
        {"objection": objection},
    )


def new_round(decision, open_objections):
    """Ask each objector whether the new version resolves their objection."""
    objectors = {objection.author_id: objection.author for objection in open_objections}
    _each(objectors.values(), Notice.Kind.NEW_ROUND, decision, "decisions/emails/new_round.txt")


def remind_silent(decision, silent_members) -> int:
    return _each(
        silent_members.select_related("user").iterator(chunk_size=2000),
        Notice.Kind.REMIND_SILENT,
        decision,
        "decisions/emails/remind_silent.txt",
    )


def review_due(decision):
    _each([decision.author], Notice.Kind.REVIEW_DUE, decision, "decisions/emails/review_due.txt")


def closed(decision):
    _each([decision.author], Notice.Kind.CLOSED, decision, "decisions/emails/closed.txt")
    if decision.kind == decision.Kind.ADVICE:
        advice_outcome(decision)


def advice_outcome(decision):
    """Advisors hear what the author decided with their advice (or without it)."""
    advisors = [
        request.advisor
        for request in decision.advice.select_related("advisor__user")
        if request.advisor_id != decision.author_id
    ]
    tell(
        advisors,
        Notice.Kind.ADVICE_OUTCOME,
        decision.get_absolute_url(),
        {"title": decision.title, "outcome_code": decision.outcome},
        "decisions/emails/advice_outcome.txt",
        {"decision": decision, "url": _url(decision)},
    )


def advice_overdue(decision) -> int:
    """The author and the officers hear that an advice decision's deadline has passed."""
    people = {decision.author_id: decision.author}
    for officer in Member.objects.active().filter(is_officer=True).select_related("user"):
        people.setdefault(officer.pk, officer)
    return _each(
        people.values(), Notice.Kind.ADVICE_OVERDUE, decision, "decisions/emails/advice_overdue.txt"
    )


def eligible(decision_id: int, round_number: int) -> int:
    """Everyone eligible hears that the decision asks for their voice, as they chose."""
    return tell_eligible(decision_id, round_number)
