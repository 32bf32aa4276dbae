"""The decisions' background work, run by `commun worker` or `commun close_due_decisions`."""

from django.tasks import task


@task
def close_due_decisions() -> dict:
    """Close what is past its deadline, then send the reminders and review notices due."""
    from commun.decisions.models import Decision

    done = Decision.objects.close_due()
    return {
        "closed": [d.pk for d in done["closed"]],
        "reminded": done["reminded"],
        "reviews": done["reviews"],
    }


@task
def remind_silent() -> int:
    """Remind those who have not spoken, once per round, when a deadline nears."""
    from commun.decisions.models import Decision

    return Decision.objects.remind_silent()


@task
def remind_reviews() -> int:
    """Tell authors that a decision of theirs has reached its review date."""
    from commun.decisions.models import Decision

    return Decision.objects.remind_reviews()


@task
def flag_overdue_advice() -> int:
    """Tell authors and officers of advice decisions left open past their deadline."""
    from commun.decisions.models import Decision

    return Decision.objects.flag_overdue_advice()


NOTIFY_BATCH = 1000


@task
def tell_eligible(decision_id: int, round_number: int = 0) -> int:
    """Tell every eligible member that a decision asks for their voice; returns how many were.

    Enqueued when a consent decision or a vote opens (`round_number` 0 for consent, whose
    first round comes later) and when an objection round opens. The notifications are
    written in batches of short transactions, so that 100,000 of them never hold SQLite's
    write lock for long while members take their stances. Running it twice tells nobody
    twice (one notification per member and step, by the database).
    """
    from commun.decisions.models import Decision, Eligibility
    from commun.deliberation.models import Notification
    from commun.deliberation.tasks import email_at_once
    from commun.members.models import Member

    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None or decision.is_closed:
        return 0
    round = decision.rounds.filter(number=round_number).first() if round_number else None
    if round_number and (round is None or round.closed_at is not None):
        return 0  # a later round, or the close, made this one stale
    if not round_number and decision.rounds.exists():
        return 0  # the objection round opened meanwhile: its own notification says more
    if decision.kind == Decision.Kind.CONSENT:
        kind = Notification.Kind.ROUND if round_number else Notification.Kind.DECISION
    else:
        kind = Notification.Kind.VOTE
    eligible = (
        Eligibility.objects.filter(decision_id=decision_id, member__status=Member.Status.ACTIVE)
        .exclude(member_id=decision.author_id)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    created, last = 0, 0
    while batch := list(eligible.filter(member_id__gt=last)[:NOTIFY_BATCH]):
        Notification.objects.bulk_create(
            [
                Notification(
                    member_id=member_id,
                    kind=kind,
                    thread_id=decision.thread_id,
                    decision_id=decision_id,
                    round_number=round_number,
                )
                for member_id in batch
            ],
            ignore_conflicts=True,
        )
        created += len(batch)
        last = batch[-1]
    email_at_once(decision_id=decision_id, round_number=round_number)
    return created
