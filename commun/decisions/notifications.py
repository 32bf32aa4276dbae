"""The emails a decision sends: one per person, in their own language, after the commit."""

from django.conf import settings

from commun.core.mail import notify


def _url(decision) -> str:
    return settings.SITE_URL + decision.get_absolute_url()


def _each(members, template: str, context: dict) -> int:
    """One email per member: a shared `To:` line would show everyone's address."""
    sent = 0
    for member in members:
        notify([member.user.email], template, {**context, "member": member}, member.language)
        sent += 1
    return sent


def advice_requested(decision):
    advisors = [request.advisor for request in decision.advice.select_related("advisor__user")]
    _each(
        advisors,
        "decisions/emails/advice_requested.txt",
        {"decision": decision, "url": _url(decision)},
    )


def advice_given(request):
    decision = request.decision
    _each(
        [decision.author],
        "decisions/emails/advice_given.txt",
        {"decision": decision, "request": request, "url": _url(decision)},
    )


def objection_raised(objection):
    decision = objection.decision
    _each(
        [decision.author],
        "decisions/emails/objection_raised.txt",
        {"decision": decision, "objection": objection, "url": _url(decision)},
    )


def objection_dismissed(objection):
    decision = objection.decision
    _each(
        [objection.author],
        "decisions/emails/objection_dismissed.txt",
        {"decision": decision, "objection": objection, "url": _url(decision)},
    )


def new_round(decision, open_objections):
    """Ask each objector whether the new version resolves their objection."""
    objectors = {objection.author_id: objection.author for objection in open_objections}
    _each(
        objectors.values(),
        "decisions/emails/new_round.txt",
        {"decision": decision, "url": _url(decision)},
    )


def remind_silent(decision, silent_members) -> int:
    return _each(
        silent_members.select_related("user").iterator(chunk_size=2000),
        "decisions/emails/remind_silent.txt",
        {"decision": decision, "url": _url(decision)},
    )


def review_due(decision):
    _each(
        [decision.author],
        "decisions/emails/review_due.txt",
        {"decision": decision, "url": _url(decision)},
    )


def closed(decision):
    _each(
        [decision.author],
        "decisions/emails/closed.txt",
        {"decision": decision, "url": _url(decision)},
    )
